import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
// The real orch plugin owns the connections this plugin reads.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import orchPlugin from '@internal/backstage-plugin-orch-backend';
import {
  ensureBusyboxImage,
  startTestRedisServer,
  type TestRedisServer,
} from '@internal/backstage-plugin-orch-node/testUtils';
import { randomBytes } from 'crypto';
import net from 'net';
import request from 'supertest';
import {
  collectSse,
  FakePortainer,
  startTestContainer,
  waitFor,
  type TestContainer,
} from './__testUtils__';
import { portainerPlugin } from './plugin';

jest.setTimeout(120_000);

// Unique per run: parallel runs share the Docker engine.
const VIAFAKE = `viafake-${Math.random().toString(36).slice(2, 8)}`;

const API_KEY = `ptr_${randomBytes(16).toString('hex')}`;
const CANARY = `canary-db-${Math.random().toString(36).slice(2)}`;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

describe('portainer plugin, Portainer endpoints through the fake Portainer', () => {
  let redis: TestRedisServer;
  let fake: FakePortainer;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let app: TestContainer;
  const ids: Record<'good' | 'wrongKey' | 'down', string> = {} as any;
  const seen: string[] = [];

  const get = async (path: string) => {
    const r = await request(backend.server).get(`/api/portainer${path}`);
    seen.push(r.text);
    return r;
  };
  const connection = async (name: string, url: string, apiKey: string) => {
    const r = await request(backend.server)
      .post('/api/orch/v1/connections')
      .send({
        type: 'portainer',
        name,
        environment: 'stage',
        values: { url, api_key: apiKey },
      });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  beforeAll(async () => {
    const image = await ensureBusyboxImage();
    app = await startTestContainer({
      image,
      name: 'portainer-via-fake',
      cmd: [
        'sh',
        '-c',
        'echo hello-out; echo hello-err >&2; i=0; while true; do echo beat-$i; i=$((i+1)); sleep 0.2; done',
      ],
      env: [`DB_PASSWORD=${CANARY}`, 'PLAIN=visible'],
      labels: {
        'com.docker.compose.project': VIAFAKE,
        'com.docker.compose.service': 'api',
      },
    });
    fake = await FakePortainer.start({
      apiKey: API_KEY,
      stacks: [
        { Id: 7, Name: VIAFAKE, Type: 2, EndpointId: 1 },
        { Id: 8, Name: 'elsewhere', Type: 1, EndpointId: 2 },
      ],
    });
    redis = await startTestRedisServer();
    backend = await startTestBackend({
      features: [
        orchPlugin,
        portainerPlugin,
        mockServices.rootConfig.factory({
          data: {
            orch: { redis: { url: redis.url, prefix: 'portainer-test' } },
            portainer: {
              local: { enabled: false },
              timeouts: { requestMs: 1500, probeMs: 1000 },
              connections: { cacheSeconds: 1 },
            },
          },
        }),
      ],
    });
    ids.good = await connection('fake-portainer', fake.url, API_KEY);
    ids.wrongKey = await connection('wrong-key', fake.url, 'ptr_wrong');
    ids.down = await connection(
      'down',
      `http://127.0.0.1:${await closedPort()}`,
      API_KEY,
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await fake?.stop();
    await redis?.stop();
    await app?.remove();
  });

  it('lists one endpoint per Portainer connection with its status', async () => {
    const r = await get('/v1/endpoints');
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const byId = Object.fromEntries(r.body.items.map((e: any) => [e.id, e]));
    expect(byId[ids.good]).toMatchObject({
      name: 'fake-portainer',
      kind: 'portainer',
      environment: 'stage',
      url: fake.url,
      portainerEndpointId: 1,
      status: {
        reachable: true,
        portainerVersion: '2.21.4',
        swarmRole: 'manager',
      },
    });
    expect(byId[ids.good].status.version).toMatch(/^\d+\.\d+/);
    expect(byId[ids.good].error).toBeUndefined();
    expect(byId[ids.wrongKey]).toMatchObject({ status: { reachable: false } });
    expect(byId[ids.wrongKey].error).toContain("refused Orch's API key (401)");
    expect(byId[ids.wrongKey].error).toContain('"wrong-key"');
    expect(byId[ids.down].status.reachable).toBe(false);
    expect(byId[ids.down].error).toContain('"down"');
    expect(byId[ids.down].error).toContain('unreachable');
    // Every Docker call went through the proxy with the right key.
    expect(
      fake.requests.some(
        q => q.path === '/api/endpoints/1/docker/version' && q.authorized,
      ),
    ).toBe(true);
  });

  it('lists containers and gives a redacted spec through Portainer', async () => {
    const r = await get(
      `/v1/containers?endpointId=${ids.good}&stack=${VIAFAKE}`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      endpointId: ids.good,
      stale: false,
      detailed: true,
    });
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({
      id: app.id,
      name: app.name,
      state: 'running',
      stack: VIAFAKE,
      service: 'api',
      restartCount: 0,
    });
    const detail = await get(`/v1/containers/${app.id}?endpointId=${ids.good}`);
    expect(detail.status).toBe(200);
    const env = Object.fromEntries(
      detail.body.env.map((e: any) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ DB_PASSWORD: '********', PLAIN: 'visible' });
    expect(
      fake.requests.some(
        q => q.path === `/api/endpoints/1/docker/containers/${app.id}/json`,
      ),
    ).toBe(true);
    expect(
      (await get(`/v1/containers/orch-test-nope?endpointId=${ids.good}`))
        .status,
    ).toBe(404);
  });

  it('returns logs with stdout and stderr separated, and follows them over SSE', async () => {
    const r = await waitFor(async () => {
      const x = await get(
        `/v1/containers/${app.id}/logs?endpointId=${ids.good}`,
      );
      return x.body.lines?.length >= 3 && x;
    });
    const stdout = r.body.lines
      .filter((l: any) => l.stream === 'stdout')
      .map((l: any) => l.line);
    const stderr = r.body.lines
      .filter((l: any) => l.stream === 'stderr')
      .map((l: any) => l.line);
    expect(stdout.slice(0, 2)).toEqual(['hello-out', 'beat-0']);
    expect(stderr).toEqual(['hello-err']);

    const port = (backend.server.address() as net.AddressInfo).port;
    const messages = await collectSse(
      `http://127.0.0.1:${port}/api/portainer/v1/containers/${app.id}/logs/stream?endpointId=${ids.good}&tail=2&timestamps=true`,
      (_m, all) => all.filter(m => m.event === 'message').length >= 5,
    );
    const beats = messages.map(m => m.data.line);
    expect(beats.every((b: string) => /^beat-\d+$/.test(b))).toBe(true);
    expect(messages.every(m => m.id === m.data.ts)).toBe(true);
    // Lines keep coming: the follow is live, not a snapshot.
    const numbers = beats.map((b: string) => Number(b.slice(5)));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('lists Portainer stacks of the environment merged with the labels, and services', async () => {
    const stacks = await get(`/v1/stacks?endpointId=${ids.good}`);
    expect(stacks.status).toBe(200);
    const viafake = stacks.body.items.find((s: any) => s.name === VIAFAKE);
    expect(viafake).toMatchObject({
      type: 'compose',
      source: 'portainer',
      portainerId: 7,
      status: 'active',
      containers: 1,
      running: 1,
    });
    expect(
      stacks.body.items.find((s: any) => s.name === 'elsewhere'),
    ).toBeUndefined();
    const services = await get(`/v1/services?endpointId=${ids.good}`);
    expect(services.status).toBe(200);
    expect(services.body.swarm).toBe(true);
  });

  it('answers a wrong API key with a 502 that says so and names the endpoint', async () => {
    const r = await get(`/v1/containers?endpointId=${ids.wrongKey}`);
    expect(r.status).toBe(502);
    expect(r.body.endpoint).toMatchObject({
      id: ids.wrongKey,
      name: 'wrong-key',
    });
    expect(r.body.error.message).toContain(
      `Portainer endpoint "wrong-key" (${fake.url}) refused Orch's API key (401)`,
    );
    expect(
      fake.requests.some(q => !q.authorized && q.path === '/api/endpoints'),
    ).toBe(true);
  });

  it('answers 404 for an unknown endpoint and 400 for a malformed one', async () => {
    const r = await get(
      '/v1/containers?endpointId=00000000-0000-4000-8000-000000000000',
    );
    expect(r.status).toBe(404);
    expect(r.body.error.message).toContain(
      '00000000-0000-4000-8000-000000000000',
    );
    expect((await get('/v1/containers?endpointId=portainer-1')).status).toBe(
      400,
    );
  });

  it('with Portainer down or slow: 503 naming the endpoint, or the last inventory marked stale, and never a hung request', async () => {
    const fresh = await get(`/v1/containers?endpointId=${ids.good}`);
    expect(fresh.body.stale).toBe(false);
    expect(fresh.body.items.some((c: any) => c.id === app.id)).toBe(true);

    // Never listed, unreachable: 503.
    const never = await get(`/v1/containers?endpointId=${ids.down}`);
    expect(never.status).toBe(503);
    expect(never.body.error.message).toContain('Portainer endpoint "down"');
    expect(never.body.error.message).toContain('unreachable');

    await fake.stop();
    try {
      const stale = await get(
        `/v1/containers?endpointId=${ids.good}&stack=${VIAFAKE}`,
      );
      expect(stale.status).toBe(200);
      expect(stale.body).toMatchObject({
        stale: true,
        fetchedAt: fresh.body.fetchedAt,
        detailed: false,
      });
      expect(stale.body.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(stale.body.error).toContain('Portainer endpoint "fake-portainer"');
      expect(stale.body.items.map((c: any) => c.id)).toEqual([app.id]);

      for (const path of [
        `/v1/containers/${app.id}?endpointId=${ids.good}`,
        `/v1/containers/${app.id}/logs?endpointId=${ids.good}`,
        `/v1/stacks?endpointId=${ids.good}`,
      ]) {
        const down = await get(path);
        expect([path, down.status]).toEqual([path, 503]);
        expect(down.body.endpoint).toMatchObject({
          id: ids.good,
          name: 'fake-portainer',
        });
        expect(down.body.error.message).toContain('"fake-portainer"');
      }
      const endpoints = await get('/v1/endpoints');
      const good = endpoints.body.items.find((e: any) => e.id === ids.good);
      expect(good.status.reachable).toBe(false);
      expect(good.error).toContain('unreachable');
    } finally {
      await fake.listen();
    }

    // Slow: the request ends at the configured bound (1.5 s), stale.
    fake.delayMs = 5000;
    try {
      const started = Date.now();
      const slow = await get(`/v1/containers?endpointId=${ids.good}`);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(3000);
      expect(slow.status).toBe(200);
      expect(slow.body.stale).toBe(true);
      expect(slow.body.error).toContain('did not answer within 1500 ms');
      const logs = await get(
        `/v1/containers/${app.id}/logs?endpointId=${ids.good}`,
      );
      expect(logs.status).toBe(503);
    } finally {
      fake.delayMs = 0;
    }

    // Back up: fresh again.
    const again = await get(`/v1/containers?endpointId=${ids.good}`);
    expect(again.body.stale).toBe(false);
  });

  // Last: every answer of the tests above.
  it('never returned the secret env value or the API key in any answer', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(API_KEY);
    }
  });
});
