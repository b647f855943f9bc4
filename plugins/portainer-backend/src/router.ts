import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express, { type Request, type Response } from 'express';
import Router from 'express-promise-router';
import { createGuards } from './routes/guards';
import { incidentRoutes } from './routes/incidentRoutes';
import { inventoryRoutes } from './routes/inventoryRoutes';
import { logRoutes } from './routes/logRoutes';
import type { PortainerConfig } from './service/config';
import type { ContainerService } from './service/ContainerService';
import type { EndpointService } from './service/EndpointService';
import type { IncidentMonitor } from './service/IncidentMonitor';
import type { IncidentService } from './service/IncidentService';
import {
  EndpointUnavailableError,
  InputValidationError,
} from './service/errors';
import type { LogService } from './service/LogService';

/**
 * The services behind the routes.
 * @public
 */
export type PortainerServices = {
  config: PortainerConfig;
  endpoints: EndpointService;
  containers: ContainerService;
  logs: LogService;
  incidents: IncidentService;
  /** Undefined when `portainer.incidents.enabled` is false. */
  monitor?: IncidentMonitor;
};

/** @public */
export type RouterOptions = {
  auditor: AuditorService;
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
  incidentRoutes(router, options.services, guards, options.auditor);

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
