/*
 * The portainer plugin's router on a local port, every request allowed as
 * one bench user: what the benchmarks call over HTTP.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRouter,
  type PortainerServices,
} from '../../plugins/portainer-backend/src/router';

export async function servePortainerRouter(
  services: Partial<PortainerServices>,
): Promise<{ base: string; server: Server }> {
  const allow: any = {
    auditor: {},
    httpAuth: {
      credentials: async () => ({
        principal: { type: 'user', userEntityRef: 'user:default/bench' },
      }),
    },
    permissions: {
      authorize: async (requests: unknown[]) =>
        requests.map(() => ({ result: 'ALLOW' })),
    },
  };
  const app = express();
  app.use(
    '/api/portainer',
    await createRouter({ ...allow, services: services as PortainerServices }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise(r => server.once('listening', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
  };
}
