import { createServiceFactory } from '@backstage/backend-plugin-api';
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
import type {
  Incident,
  IncidentDetail,
} from '@internal/backstage-plugin-portainer-common';
import { TEST_CONTAINER_LABEL } from '@internal/backstage-plugin-portainer-node/testUtils';
import Docker from 'dockerode';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { waitFor } from './__testUtils__';
import { portainerPlugin } from './plugin';

jest.setTimeout(240_000);

// The machine's engine is a one-node Swarm manager (script/test makes it
// one); the services have unique names and the run's label, and go in
// afterAll.
const socketPath = '/var/run/docker.sock';
const docker = new Docker({ socketPath });
const databases = orchTestDatabases();
const CANARY = `canary-swarm-${randomBytes(6).toString('hex')}`;
const MISSING_IMAGE = 'orch-missing/nope:never';

describe.each(databases.eachSupportedId())(
  'incidents of Swarm services whose tasks never start (%p)',
  databaseId => {
    const run = randomBytes(4).toString('hex');
    const jobId = randomUUID();
    const sent: NotificationSendOptions[] = [];
    const services: string[] = [];
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let image: string;

    beforeAll(async () => {
      const info = await docker.info();
      if (
        info.Swarm?.LocalNodeState !== 'active' ||
        !info.Swarm?.ControlAvailable
      ) {
        throw new Error(
          `${socketPath} is not a Swarm manager (script/test runs \`docker swarm init\`)`,
        );
      }
      image = await ensureBusyboxImage();
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          portainerPlugin,
          mockServices.database.factory({ knex }),
          // The real scheduler: the housekeeping pass scans the tasks.
          schedulerServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              portainer: {
                local: { socketPath },
                incidents: {
                  labels: [`${TEST_CONTAINER_LABEL}=${run}`],
                  logLines: 20,
                  quietPeriod: { seconds: 1 },
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
      for (const name of services) {
        await docker
          .getService(name)
          .remove()
          .catch(() => {});
      }
    });

    async function createService(
      name: string,
      spec: { image: string; constraints?: string[] },
    ): Promise<string> {
      const full = `orch-test-${name}-${run}`;
      services.push(full);
      await docker.createService({
        Name: full,
        Labels: { [TEST_CONTAINER_LABEL]: run, 'orch.job.id': jobId },
        TaskTemplate: {
          ContainerSpec: {
            Image: spec.image,
            Command: ['sleep', '1000'],
            Env: [`API_TOKEN=${CANARY}`],
            Labels: { [TEST_CONTAINER_LABEL]: run },
            StopGracePeriod: 1_000_000_000,
          },
          // Fast retries: repeated failures within the test's wait.
          RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
          ...(spec.constraints
            ? { Placement: { Constraints: spec.constraints } }
            : {}),
        },
        Mode: { Replicated: { Replicas: 1 } },
        // No IPVS on these machines: no virtual IP.
        EndpointSpec: { Mode: 'dnsrr' },
      } as any);
      return full;
    }

    async function incidentsOf(service: string): Promise<Incident[]> {
      const res = await request(backend.server)
        .get('/api/portainer/v1/incidents')
        .query({ endpointId: 'local', limit: 100 })
        .expect(200);
      return (res.body.items as Incident[]).filter(i => i.subject === service);
    }

    async function detailOf(id: string): Promise<IncidentDetail> {
      return (
        await request(backend.server)
          .get(`/api/portainer/v1/incidents/${id}`)
          .expect(200)
      ).body;
    }

    it('opens one incident for a service whose image does not exist, with the task error and the deploying job, and counts later failures on it', async () => {
      const name = await createService('missing', { image: MISSING_IMAGE });
      const [incident] = await waitFor(
        async () => {
          const found = await incidentsOf(name);
          return found.length > 0 && found;
        },
        90_000,
        'the incident of the service with a missing image',
      );
      expect(incident).toMatchObject({
        subjectKind: 'service',
        service: name,
        reason: 'image_not_found',
        status: 'open',
        endpointId: 'local',
      });

      const detail = await detailOf(incident.id);
      expect(detail.context?.taskErrors).toEqual(
        expect.arrayContaining([expect.stringContaining(MISSING_IMAGE)]),
      );
      expect(detail.context?.relatedJobIds).toContain(jobId);
      expect(detail.context?.service?.env).toEqual([
        { name: 'API_TOKEN', value: '********', redacted: true },
      ]);
      expect(detail.timeline[0]).toMatchObject({ kind: 'opened' });
      expect(detail.timeline[0].detail).toContain(MISSING_IMAGE);
      expect(JSON.stringify(detail)).not.toContain(CANARY);

      // Swarm keeps rejecting new tasks: they count on the same incident.
      const recurred = await waitFor(
        async () => {
          const found = await incidentsOf(name);
          return found.some(i => i.count >= 3) && found;
        },
        90_000,
        'later task failures counted on the incident',
      );
      expect(recurred).toHaveLength(1);
      expect(recurred[0]).toMatchObject({ id: incident.id, status: 'open' });
      expect(
        (await detailOf(incident.id)).timeline.filter(
          t => t.kind === 'recurred',
        ).length,
      ).toBeGreaterThanOrEqual(2);

      const notification = await waitFor(
        async () =>
          sent.find(n => n.payload.link === `/incidents/${incident.id}`),
        10_000,
        'the notification',
      );
      expect(notification.payload.title).toContain('image not found');
      expect(JSON.stringify(sent)).not.toContain(CANARY);
    });

    it('opens one incident, no suitable node, for a service no node can place, and resolves it once the service runs', async () => {
      const name = await createService('placement', {
        image,
        constraints: ['node.labels.orch-none==true'],
      });
      const [incident] = await waitFor(
        async () => {
          const found = await incidentsOf(name);
          return found.length > 0 && found;
        },
        90_000,
        'the incident of the service that cannot be placed',
      );
      expect(incident).toMatchObject({
        subjectKind: 'service',
        reason: 'no_suitable_node',
        status: 'open',
      });
      const detail = await detailOf(incident.id);
      expect(detail.context?.taskErrors).toEqual([
        expect.stringContaining('no suitable node'),
      ]);
      expect(detail.context?.relatedJobIds).toContain(jobId);

      const service = docker.getService(name);
      const info: any = await service.inspect();
      // The placement fixed: the task runs and the incident resolves.
      await service.update({
        version: info.Version.Index,
        ...info.Spec,
        TaskTemplate: {
          ...info.Spec.TaskTemplate,
          Placement: {},
          ForceUpdate: (info.Spec.TaskTemplate.ForceUpdate ?? 0) + 1,
        },
      });
      const resolved = await waitFor(
        async () => {
          const d = await detailOf(incident.id);
          return d.status === 'resolved' && d;
        },
        90_000,
        'the incident to resolve once the service runs',
      );
      expect(resolved.resolvedBy).toBe('orch:quiet-period');
      expect(resolved.count).toBe(1);
      expect(await incidentsOf(name)).toHaveLength(1);
    });
  },
);
