import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { WorkerRegistry } from '@internal/backstage-plugin-orch-node';
import { testRedis } from '@internal/backstage-plugin-orch-node/testUtils';
import { Redis } from 'ioredis';
import request from 'supertest';
import { orchPlugin } from './plugin';

describe('orch plugin', () => {
  let env: Awaited<ReturnType<typeof testRedis>>;
  let redis: Redis;

  beforeAll(async () => {
    env = await testRedis();
    redis = new Redis(env.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await env.close();
  });

  async function start() {
    return startTestBackend({
      features: [
        orchPlugin,
        mockServices.rootConfig.factory({
          data: { orch: { redis: { url: env.url, prefix: env.prefix } } },
        }),
      ],
    });
  }

  it('serves /health without credentials: 503 naming the worker check, then 200', async () => {
    const { server } = await start();

    const down = await request(server).get('/api/orch/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'error',
      checks: {
        database: { status: 'ok' },
        redis: { status: 'ok' },
        worker: { status: 'error' },
      },
    });

    await new WorkerRegistry(redis, env.prefix).beat({
      id: 'w',
      hostname: 'test',
      pid: 1,
      concurrency: 1,
      startedAt: new Date().toISOString(),
    });
    const up = await request(server).get('/api/orch/health');
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('ok');
    expect(up.headers['cache-control']).toBe('no-store');
  });
});
