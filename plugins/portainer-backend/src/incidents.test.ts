import {
  createBackendPlugin,
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import type {
  Incident,
  IncidentDetail,
} from '@internal/backstage-plugin-portainer-common';
import {
  removeTestContainers,
  startDockerSocketProxy,
  TEST_CONTAINER_LABEL,
  type DockerSocketProxy,
} from '@internal/backstage-plugin-portainer-node/testUtils';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import Docker from 'dockerode';
import express from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { waitFor } from './__testUtils__';
import { portainerPlugin } from './plugin';

jest.setTimeout(180_000);

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const databases = orchTestDatabases();
const CANARY = `canary-incident-${randomBytes(6).toString('hex')}`;

/**
 * The orch plugin as the portainer plugin sees it: the `docker` connections
 * and their credentials (the real routes are tested in orch-backend).
 */
function fakeOrchPlugin(
  connections: () => Array<{ id: string; host: string }>,
  credentialReads: string[],
) {
  return createBackendPlugin({
    pluginId: 'orch',
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          const router = express.Router();
          router.get('/v1/connections', (_req, res) => {
            res.json({
              items: connections().map(c => ({
                id: c.id,
                name: `docker-${c.id.slice(0, 4)}`,
                type: 'docker',
                environment: 'stage',
                updatedAt: '2026-11-26T00:00:00.000Z',
              })),
            });
          });
          router.post('/v1/connections/:id/credentials', (req, res) => {
            credentialReads.push(req.params.id);
            const c = connections().find(x => x.id === req.params.id);
            if (!c) {
              res.status(404).json({ error: { name: 'NotFoundError' } });
              return;
            }
            res.json({ id: c.id, type: 'docker', config: { host: c.host }, secrets: {} });
          });
          httpRouter.use(router);
          httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
        },
      });
    },
  });
}

describe.each(databases.eachSupportedId())(
  'incidents through the portainer plugin on the real dockerd (%p)',
  databaseId => {
    const run = randomBytes(4).toString('hex');
    const label = `${TEST_CONTAINER_LABEL}=${run}`;
    const sent: NotificationSendOptions[] = [];
    const credentialReads: string[] = [];
    let proxy: DockerSocketProxy;
    const connectionId = randomUUID();
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let image: string;
    let allow = true;

    beforeAll(async () => {
      image = await ensureBusyboxImage();
      proxy = await startDockerSocketProxy();
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          portainerPlugin,
          fakeOrchPlugin(() => [
            { id: connectionId, host: `unix://${proxy.socketPath}` },
          ], credentialReads),
          mockServices.database.factory({ knex }),
          // The real scheduler: housekeeping runs as in production.
          schedulerServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              portainer: {
                incidents: {
                  labels: [label],
                  logLines: 20,
                  quietPeriod: { seconds: 1 },
                  housekeepingInterval: { seconds: 1 },
                },
              },
            },
          }),
          mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(() => ({
                result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
              })),
          }).factory,
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({
              send: async (n: NotificationSendOptions) => {
                sent.push(n);
              },
            }),
          }),
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await removeTestContainers(docker, run);
      await proxy?.close();
    });

    async function run1(name: string, cmd: string[], env: string[] = []) {
      const container = await docker.createContainer({
        name: `orch-test-${name}-${run}`,
        Image: image,
        Cmd: cmd,
        Env: env,
        Labels: { [TEST_CONTAINER_LABEL]: run },
        HostConfig: { NetworkMode: 'none' },
      });
      await container.start();
      return container;
    }

    async function incidentOf(name: string): Promise<Incident> {
      return waitFor(
        async () => {
          const res = await request(backend.server)
            .get('/api/portainer/v1/incidents')
            .query({ status: 'open', endpointId: 'local' });
          return (res.body.items as Incident[]).find(i =>
            i.subject.startsWith(`orch-test-${name}-${run}`),
          );
        },
        60_000,
        `incident of ${name}`,
      );
    }

    it('opens an incident for a container that exits 3, with its last lines, redacted spec and a notification', async () => {
      await run1(
        'exit3',
        ['sh', '-c', `echo starting; echo "token is $API_TOKEN"; echo last words >&2; exit 3`],
        [`API_TOKEN=${CANARY}`, 'MODE=demo'],
      );
      const incident = await incidentOf('exit3');
      expect(incident).toMatchObject({
        reason: 'die',
        exitCode: 3,
        status: 'open',
        count: 1,
        endpointId: 'local',
      });

      const detail: IncidentDetail = (
        await request(backend.server)
          .get(`/api/portainer/v1/incidents/${incident.id}`)
          .expect(200)
      ).body;
      expect(detail.context?.logs.map(l => l.line)).toEqual(
        expect.arrayContaining(['starting', 'last words']),
      );
      expect(detail.context?.logs.find(l => l.line === 'last words')?.stream).toBe(
        'stderr',
      );
      expect(detail.context?.container?.env).toEqual(
        expect.arrayContaining([
          { name: 'API_TOKEN', value: '********', redacted: true },
          expect.objectContaining({ name: 'MODE', value: 'demo' }),
        ]),
      );
      expect(detail.timeline.map(t => t.kind)).toEqual(['opened']);
      expect(JSON.stringify(detail)).not.toContain(CANARY);

      await waitFor(
        async () => sent.find(n => n.payload.link === `/incidents/${incident.id}`),
        10_000,
        'the notification',
      );
      const notification = sent.find(
        n => n.payload.link === `/incidents/${incident.id}`,
      );
      expect(notification?.payload.title).toContain('exited with code 3');
      expect(JSON.stringify(sent)).not.toContain(CANARY);
    });

    it('acknowledges and resolves by hand, with 409, 404, 400 and 403 where due', async () => {
      await run1('manual', ['sh', '-c', 'exit 1']);
      const incident = await incidentOf('manual');
      const acked = await request(backend.server)
        .post(`/api/portainer/v1/incidents/${incident.id}/ack`)
        .expect(200);
      expect(acked.body).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: mockCredentials.user().principal.userEntityRef,
      });
      const resolved = await request(backend.server)
        .post(`/api/portainer/v1/incidents/${incident.id}/resolve`)
        .expect(200);
      expect(resolved.body.status).toBe('resolved');
      await request(backend.server)
        .post(`/api/portainer/v1/incidents/${incident.id}/resolve`)
        .expect(409);
      const detail = await request(backend.server)
        .get(`/api/portainer/v1/incidents/${incident.id}`)
        .expect(200);
      expect(detail.body.timeline.map((t: { kind: string }) => t.kind)).toEqual(
        ['opened', 'acknowledged', 'resolved'],
      );

      await request(backend.server)
        .get(`/api/portainer/v1/incidents/${randomUUID()}`)
        .expect(404);
      const bad = await request(backend.server)
        .get('/api/portainer/v1/incidents')
        .query({ status: 'sleeping', limit: 'many' })
        .expect(400);
      expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual([
        'status',
        'limit',
      ]);
      await request(backend.server)
        .post('/api/portainer/v1/incidents/not-an-id/ack')
        .expect(400);

      allow = false;
      try {
        await request(backend.server)
          .post(`/api/portainer/v1/incidents/${incident.id}/ack`)
          .expect(403);
        await request(backend.server).get('/api/portainer/v1/incidents').expect(403);
      } finally {
        allow = true;
      }
    });

    it('watches a docker connection as its own endpoint, and lists by endpoint', async () => {
      await waitFor(
        async () => {
          const res = await request(backend.server).get(
            '/api/portainer/v1/incidents/watchers',
          );
          return (res.body.items as Array<{ endpointId: string; connected: boolean }>).find(
            w => w.endpointId === connectionId && w.connected,
          );
        },
        30_000,
        'the docker connection watcher',
      );
      await run1('remote', ['sh', '-c', 'exit 4']);
      // The same engine is seen through both endpoints: one incident each.
      const onConnection = await waitFor(
        async () => {
          const res = await request(backend.server)
            .get('/api/portainer/v1/incidents')
            .query({ endpointId: connectionId });
          return (res.body.items as Incident[]).find(i =>
            i.subject.startsWith(`orch-test-remote-${run}`),
          );
        },
        60_000,
        'the incident on the docker connection',
      );
      expect(onConnection).toMatchObject({ exitCode: 4, endpointId: connectionId });
      // Re-read every second, the unchanged connection's credentials (an
      // audited read in the orch plugin) were read once.
      expect(credentialReads).toEqual([connectionId]);
    });

    it('resolves an incident by itself once its container is gone and the quiet period passed', async () => {
      const container = await run1('gone', ['sh', '-c', 'exit 2']);
      const incident = await incidentOf('gone');
      await container.remove({ force: true });
      // The scheduler's housekeeping (every second here) resolves it.
      const resolved = await waitFor(
        async () => {
          const res = await request(backend.server).get(
            `/api/portainer/v1/incidents/${incident.id}`,
          );
          return res.body.status === 'resolved' && (res.body as IncidentDetail);
        },
        60_000,
        'quiet resolution',
      );
      expect(resolved.resolvedBy).toBe('orch:quiet-period');
      expect(resolved.timeline.at(-1)?.detail).toContain('no longer exists');
    });
  },
);
