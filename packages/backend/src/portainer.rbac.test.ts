import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import portainerPlugin from '@internal/backstage-plugin-portainer-backend';
import {
  removeTestContainers,
  TEST_CONTAINER_LABEL,
} from '@internal/backstage-plugin-portainer-node/testUtils';
import Docker from 'dockerode';
import { randomBytes } from 'crypto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, AuthHarness } from './__testUtils__/authHarness';
import { engines } from './__testUtils__/orchHarness';

jest.setTimeout(300_000);

const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/**
 * The portainer plugin behind Orch's real sign-in and RBAC policy: viewers
 * read containers, logs and incidents; operators and admins also
 * acknowledge and resolve incidents; anonymous callers get 401.
 */
describe.each(engines())('portainer routes × roles on %s', engine => {
  const run = randomBytes(4).toString('hex');
  const h = new AuthHarness(engine);
  const tokens: Record<string, string> = {};
  let incidentId = '';

  beforeAll(async () => {
    await h.start({
      features: [portainerPlugin],
      config: {
        portainer: {
          incidents: { labels: [`${TEST_CONTAINER_LABEL}=${run}`] },
        },
      },
    });
    const admin = await h.session(ADMIN_EMAIL, ADMIN_PASSWORD);
    tokens.admin = admin.accessToken;
    tokens.viewer = (await h.createUser(admin.accessToken, `viewer-${run}@orch.test`, ['viewer'])).accessToken;
    tokens.operator = (await h.createUser(admin.accessToken, `operator-${run}@orch.test`, ['operator'])).accessToken;

    const container = await docker.createContainer({
      name: `orch-test-rbac-${run}`,
      Image: await ensureBusyboxImage(),
      Cmd: ['sh', '-c', 'echo bye; exit 3'],
      Labels: { [TEST_CONTAINER_LABEL]: run },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    const deadline = Date.now() + 60_000;
    while (!incidentId && Date.now() < deadline) {
      const r = await h.raw('GET', '/api/portainer/v1/incidents?endpointId=local', { token: tokens.admin });
      incidentId = r.body?.items?.find((i: { subject: string }) => i.subject === `orch-test-rbac-${run}`)?.id ?? '';
      if (!incidentId) await new Promise(resolve => setTimeout(resolve, 100));
    }
    if (!incidentId) throw new Error('no incident for the test container');
  });

  afterAll(async () => {
    await h.stop();
    await removeTestContainers(docker, run);
  });

  it('answers 401 to anonymous callers', async () => {
    const list = await h.raw('GET', '/api/portainer/v1/incidents');
    const endpoints = await h.raw('GET', '/api/portainer/v1/endpoints');
    const ack = await h.raw('POST', `/api/portainer/v1/incidents/${incidentId}/ack`);
    expect([list.status, endpoints.status, ack.status]).toEqual([401, 401, 401]);
  });

  it('lets a viewer read endpoints, containers, logs and incidents, not acknowledge or resolve', async () => {
    const token = tokens.viewer;
    const endpoints = await h.raw('GET', '/api/portainer/v1/endpoints', { token });
    const containers = await h.raw('GET', '/api/portainer/v1/containers?endpointId=local', { token });
    const logs = await h.raw('GET', `/api/portainer/v1/containers/orch-test-rbac-${run}/logs?endpointId=local`, { token });
    const detail = await h.raw('GET', `/api/portainer/v1/incidents/${incidentId}`, { token });
    const ack = await h.raw('POST', `/api/portainer/v1/incidents/${incidentId}/ack`, { token });
    const resolve = await h.raw('POST', `/api/portainer/v1/incidents/${incidentId}/resolve`, { token });
    expect([endpoints.status, containers.status, logs.status, detail.status]).toEqual([200, 200, 200, 200]);
    expect(logs.body.lines.map((l: { line: string }) => l.line)).toEqual(['bye']);
    expect(detail.body.context.logs.map((l: { line: string }) => l.line)).toEqual(['bye']);
    expect([ack.status, resolve.status]).toEqual([403, 403]);
  });

  it('lets an operator acknowledge and an admin resolve, named on the timeline', async () => {
    const ack = await h.raw('POST', `/api/portainer/v1/incidents/${incidentId}/ack`, { token: tokens.operator });
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedBy).toBe(`user:default/operator-${run}`);
    const resolve = await h.raw('POST', `/api/portainer/v1/incidents/${incidentId}/resolve`, { token: tokens.admin });
    expect(resolve.status).toBe(200);
    const detail = await h.raw('GET', `/api/portainer/v1/incidents/${incidentId}`, { token: tokens.viewer });
    expect(detail.body.timeline.map((t: { kind: string }) => t.kind)).toEqual(['opened', 'acknowledged', 'resolved']);
  });
});
