import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express, { type Request, type Response } from 'express';
import Router from 'express-promise-router';
import { createGuards } from './routes/guards';
import { inventoryRoutes } from './routes/inventoryRoutes';
import { logRoutes } from './routes/logRoutes';
import type { PortainerConfig } from './service/config';
import type { ContainerService } from './service/ContainerService';
import type { EndpointService } from './service/EndpointService';
import {
  EndpointUnavailableError,
  InputValidationError,
} from './service/errors';
import type { LogService } from './service/LogService';

/**
 * The services behind the routes. The incidents service (events →
 * incidents, from plugins/portainer-node) joins here with its own route
 * module, registered in {@link createRouter} like the others.
 * @public
 */
export type PortainerServices = {
  config: PortainerConfig;
  endpoints: EndpointService;
  containers: ContainerService;
  logs: LogService;
};

/** @public */
export type RouterOptions = {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  services: PortainerServices;
};

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  const guards = createGuards(options);

  inventoryRoutes(router, options.services, guards);
  logRoutes(router, options.services, guards);

  // 400 with the failing fields; 502/503 naming the endpoint. Everything else
  // goes to Backstage's error middleware (404, 401, 403, …).
  router.use(
    (err: any, req: Request, res: Response, next: express.NextFunction) => {
      const base = { request: { method: req.method, url: req.originalUrl } };
      if (err instanceof InputValidationError) {
        res.status(400).json({
          error: { name: 'InputError', message: err.message },
          fields: err.fields,
          ...base,
          response: { statusCode: 400 },
        });
        return;
      }
      if (err instanceof EndpointUnavailableError) {
        res.status(err.statusCode).json({
          error: { name: err.name, message: err.message },
          endpoint: err.endpoint,
          ...base,
          response: { statusCode: err.statusCode },
        });
        return;
      }
      next(err);
    },
  );

  return router;
}
