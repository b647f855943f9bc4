import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { WorkerRegistry } from '@internal/backstage-plugin-orch-node';
import {
  startTestRedisServer,
  type TestRedisServer,
} from '@internal/backstage-plugin-orch-node/testUtils';
import { Redis } from 'ioredis';
import request from 'supertest';
import { orchPlugin } from './plugin';

describe('orch plugin', () => {
  let redisServer: TestRedisServer;
  let redis: Redis;
  const prefix = 'health-test';

  beforeAll(async () => {
    redisServer = await startTestRedisServer();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    redis.on('error', () => {});
  });
  afterAll(async () => {
    redis.disconnect();
    await redisServer.stop();
  });

  const beat = () =>
    new WorkerRegistry(redis, prefix).beat({
      id: 'w',
      hostname: 'test',
      pid: 1,
      concurrency: 1,
      startedAt: new Date().toISOString(),
    });

  it('serves /health without credentials, naming a failing check with 503 and recovering without a restart', async () => {
    const { server } = await startTestBackend({
      features: [
        orchPlugin,
        mockServices.rootConfig.factory({
          data: { orch: { redis: { url: redisServer.url, prefix } } },
        }),
      ],
    });
    // No credentials at all: the route must be open.
    const noWorker = await request(server).get('/api/orch/health');
    expect(noWorker.status).toBe(503);
    expect(noWorker.body).toMatchObject({
      status: 'error',
      checks: {
        database: { status: 'ok' },
        redis: { status: 'ok' },
        worker: { status: 'error' },
      },
    });

    await beat();
    const up = await request(server).get('/api/orch/health');
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('ok');
    expect(up.headers['cache-control']).toBe('no-store');

    // Redis goes away: 503 naming redis.
    await redisServer.stop();
    const down = await request(server).get('/api/orch/health');
    expect(down.status).toBe(503);
    expect(down.body.checks.redis.status).toBe('error');
    expect(down.body.checks.database.status).toBe('ok');

    // Redis comes back (empty: no persistence); the worker beats again and
    // the same backend reports 200 once its client has reconnected.
    await redisServer.start();
    await beat();
    let again = await request(server).get('/api/orch/health');
    for (let i = 0; again.status !== 200 && i < 50; i++) {
      // The backend's client reconnects with a capped backoff; each probe
      // is itself the event we wait on (no fixed sleep).
      again = await request(server).get('/api/orch/health');
    }
    expect(again.status).toBe(200);
  });
});
