import type {
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type {
  DatabaseJobStore,
  DatabaseUserStore,
} from '@internal/backstage-plugin-orch-node';
import express, { type Request, type Response } from 'express';
import Router from 'express-promise-router';
import { auditRoutes } from './routes/auditRoutes';
import { authRoutes } from './routes/authRoutes';
import { userRoutes } from './routes/userRoutes';
import { connectionRoutes } from './routes/connectionRoutes';
import { createGuards } from './routes/guards';
import { internalRoutes } from './routes/internalRoutes';
import { jobRoutes } from './routes/jobRoutes';
import { projectRoutes } from './routes/projectRoutes';
import { runbookRoutes } from './routes/runbookRoutes';
import type { AuditService } from './service/AuditService';
import type { ConnectionService } from './service/ConnectionService';
import type { AuthService } from './service/auth/AuthService';
import type { BackstageTokens } from './service/auth/BackstageTokens';
import type { PrincipalService } from './service/auth/PrincipalService';
import type { UserService } from './service/auth/UserService';
import { InputValidationError, TooManyRequestsError } from './service/errors';
import type { HealthService } from './service/HealthService';
import type { JobService } from './service/JobService';
import type { ProjectService } from './service/ProjectService';
import type { LogStreamService } from './service/LogStreamService';

/** @public */
export type RouterOptions = {
  health: HealthService;
  jobs: JobService;
  projects: ProjectService;
  connections: ConnectionService;
  audit: AuditService;
  logs: LogStreamService;
  store: DatabaseJobStore;
  auth: AuthService;
  principals: PrincipalService;
  tokens: BackstageTokens;
  users: DatabaseUserStore;
  userAdmin: UserService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  artifactsDir: string;
  /** How many reverse proxies in front of Orch set X-Forwarded-For. */
  trustProxyHops: number;
  /** express body-parser limit, e.g. `256kb`. */
  maxBodySize: string;
};

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.use(express.json({ limit: options.maxBodySize }));
  const guards = createGuards(options);

  // Open without auth (plugin.ts): load balancers and Swarm healthchecks call
  // it. It reveals only up/down per dependency.
  router.get('/health', async (_req, res) => {
    const report = await options.health.report();
    res
      .status(report.status === 'ok' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  authRoutes(router, options);
  userRoutes(router, options, guards);
  runbookRoutes(router, options, guards);
  projectRoutes(router, options, guards);
  jobRoutes(router, options, guards);
  connectionRoutes(router, options, guards);
  auditRoutes(router, options, guards);
  internalRoutes(router, options);

  // Field-level validation errors keep Backstage's error body and add the
  // failing fields; body-parser's own errors (413, malformed JSON) keep
  // their status instead of becoming 500s.
  router.use(
    (err: any, req: Request, res: Response, next: express.NextFunction) => {
      if (err instanceof InputValidationError) {
        res.status(400).json({
          error: { name: 'InputError', message: err.message },
          fields: err.fields,
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 400 },
        });
        return;
      }
      if (err instanceof TooManyRequestsError) {
        res
          .status(429)
          .set('Retry-After', String(err.retryAfterSeconds))
          .json({
            error: { name: err.name, message: err.message },
            retryAfterSeconds: err.retryAfterSeconds,
            request: { method: req.method, url: req.originalUrl },
            response: { statusCode: 429 },
          });
        return;
      }
      if (err?.type === 'entity.too.large') {
        res.status(413).json({
          error: {
            name: 'PayloadTooLargeError',
            message: `Request body larger than ${options.maxBodySize}`,
          },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 413 },
        });
        return;
      }
      if (err?.type === 'entity.parse.failed') {
        next(new InputError('Request body is not valid JSON'));
        return;
      }
      next(err);
    },
  );

  return router;
}
