import {
  HttpAuthService,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import express, { Request, Response } from 'express';
import type { OrchUserRecord } from '../providers/OrchUserEntityProvider';

/** One request the fake answered (or refused). */
export interface FakeUsersRequest {
  subject: string;
  query: Record<string, unknown>;
  status: number;
}

/** A connection the fake hands out through its credentials route. */
export interface FakeConnection {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
}

/**
 * A stand-in for the orch plugin (plugin id `orch`) serving
 * `GET /v1/users`: service callers only, `status` filter, `limit` and an
 * opaque `cursor` / `nextCursor`, pages of `pageSize` users. Set `failPage`
 * to answer that page (0-based) with a 500. And
 * `POST /v1/connections/:id/credentials` as the orch plugin answers the
 * catalog: `github` connections only, by id or name.
 */
export class FakeOrchUsersBackend {
  users: OrchUserRecord[] = [];
  pageSize = 2;
  failPage?: number;
  readonly requests: FakeUsersRequest[] = [];
  connections: FakeConnection[] = [];
  readonly credentialReads: Array<{ subject: string; id: string }> = [];

  readonly plugin = createBackendPlugin({
    pluginId: 'orch',
    register: env => {
      env.registerInit({
        deps: {
          httpAuth: coreServices.httpAuth,
          httpRouter: coreServices.httpRouter,
        },
        init: async ({ httpAuth, httpRouter }) => {
          const router = express.Router();
          router.get('/v1/users', (req, res, next) => {
            this.#listUsers(req, res, httpAuth).catch(next);
          });
          router.post('/v1/connections/:id/credentials', (req, res, next) => {
            httpAuth
              .credentials(req, { allow: ['service'] })
              .then(credentials => {
                const subject = credentials.principal.subject;
                const id = req.params.id;
                this.credentialReads.push({ subject, id });
                const connection = this.connections.find(
                  c => c.id === id || c.name === id,
                );
                if (!connection) {
                  throw new NotFoundError(`No connection ${id}`);
                }
                if (
                  subject !== 'plugin:catalog' ||
                  connection.type !== 'github'
                ) {
                  throw new NotAllowedError('Not allowed');
                }
                res.set('Cache-Control', 'no-store').json(connection);
              })
              .catch(next);
          });
          httpRouter.use(router);
        },
      });
    },
  });

  async #listUsers(
    req: Request,
    res: Response,
    httpAuth: HttpAuthService,
  ): Promise<void> {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const offset = Number(req.query.cursor ?? 0);
    const page = Math.floor(offset / this.pageSize);
    const record = (status: number) =>
      this.requests.push({
        subject: credentials.principal.subject,
        query: { ...req.query },
        status,
      });
    if (page === this.failPage) {
      record(500);
      throw new Error('users table unavailable');
    }
    const limit = Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      record(400);
      throw new InputError('limit must be an integer between 1 and 500');
    }
    record(200);
    const matching = this.users.filter(
      user => !req.query.status || user.status === req.query.status,
    );
    const size = Math.min(limit, this.pageSize);
    const items = matching.slice(offset, offset + size);
    const next = offset + size;
    res.json({
      items: items.map(user => ({
        ...user,
        roles: ['viewer'],
        mustChangePassword: false,
        createdAt: '2026-11-26T00:00:00.000Z',
        updatedAt: '2026-11-26T00:00:00.000Z',
      })),
      ...(next < matching.length ? { nextCursor: String(next) } : {}),
    });
  }
}
