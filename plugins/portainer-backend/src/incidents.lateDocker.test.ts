import {
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  notificationService,
  type NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ensureBusyboxImage,
  orchTestDatabases,
} from '@internal/backstage-plugin-orch-node/testUtils';
import type { Incident } from '@internal/backstage-plugin-portainer-common';
import { TEST_CONTAINER_LABEL } from '@internal/backstage-plugin-portainer-node/testUtils';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import request from 'supertest';
import { waitFor } from './__testUtils__';
import { portainerPlugin } from './plugin';

jest.setTimeout(180_000);

const machineDocker = new Docker({ socketPath: '/var/run/docker.sock' });
const databases = orchTestDatabases();

type Watcher = { endpointId: string; kind: string; connected: boolean };

/** A private dockerd (no swarm, no bridge, its own roots) under `dir`. */
function startPrivateDockerd(dir: string): ChildProcess {
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    [
      '--storage-driver=vfs',
      '--iptables=false',
      '--bridge=none',
      '-H',
      `unix://${path.join(dir, 'docker.sock')}`,
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '--pidfile',
      path.join(dir, 'pid'),
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  return child;
}

async function stopPrivateDockerd(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

describe.each(databases.eachSupportedId())(
  'the local watcher when Docker starts after the backend (%p)',
  databaseId => {
    const run = randomBytes(4).toString('hex');
    const sent: NotificationSendOptions[] = [];
    let dir: string;
    let socketPath: string;
    let dockerd: ChildProcess | undefined;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;

    beforeAll(async () => {
      // Short: a unix socket path has at most 107 characters.
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orch-late-'));
      socketPath = path.join(dir, 'docker.sock');
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          portainerPlugin,
          mockServices.database.factory({ knex }),
          // The real scheduler: housekeeping runs as in production.
          schedulerServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              portainer: {
                local: { socketPath },
                incidents: {
                  labels: [`${TEST_CONTAINER_LABEL}=${run}`],
                  logLines: 20,
                  quietPeriod: { seconds: 60 },
                  housekeepingInterval: { seconds: 1 },
                },
              },
            },
          }),
          mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(() => ({ result: AuthorizeResult.ALLOW })),
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
      await stopPrivateDockerd(dockerd);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function watchers(): Promise<Watcher[]> {
      const res = await request(backend.server)
        .get('/api/portainer/v1/incidents/watchers')
        .expect(200);
      return res.body.items;
    }

    it('starts watching the socket once it appears, opens incidents from it, and stops when it goes', async () => {
      // Nothing listens at the socket path: no local watcher, no endpoint.
      expect((await watchers()).filter(w => w.kind === 'local')).toEqual([]);

      dockerd = startPrivateDockerd(dir);
      const engine = new Docker({ socketPath });
      await waitFor(
        async () => engine.ping().then(() => true, () => false),
        60_000,
        'the private dockerd',
      );

      // The housekeeping pass (every second) starts the local watcher.
      await waitFor(
        async () =>
          (await watchers()).find(w => w.endpointId === 'local' && w.connected),
        30_000,
        'the local watcher to connect',
      );

      // The private engine is empty: copy the test image into it.
      const image = await ensureBusyboxImage();
      const tarball = await machineDocker.getImage(image).get();
      const loading = await engine.loadImage(tarball);
      await new Promise<void>((resolve, reject) =>
        engine.modem.followProgress(loading, e => (e ? reject(e) : resolve())),
      );

      const name = `orch-test-late-${run}`;
      const container = await engine.createContainer({
        name,
        Image: image,
        Cmd: ['sh', '-c', 'echo late start; exit 3'],
        Labels: { [TEST_CONTAINER_LABEL]: run },
        HostConfig: { NetworkMode: 'none' },
      });
      await container.start();

      const incident = await waitFor(
        async () => {
          const res = await request(backend.server)
            .get('/api/portainer/v1/incidents')
            .query({ status: 'open', endpointId: 'local' });
          return (res.body.items as Incident[]).find(i =>
            i.subject.startsWith(name),
          );
        },
        60_000,
        'the incident of the container on the late engine',
      );
      expect(incident).toMatchObject({
        reason: 'die',
        exitCode: 3,
        status: 'open',
        endpointId: 'local',
      });

      // Docker stops and removes its socket: the local watcher goes too.
      await container.remove({ force: true });
      await stopPrivateDockerd(dockerd);
      expect(fs.existsSync(socketPath)).toBe(false);
      await waitFor(
        async () =>
          (await watchers()).every(w => w.kind !== 'local') || undefined,
        30_000,
        'the local watcher to stop',
      );
    });
  },
);
