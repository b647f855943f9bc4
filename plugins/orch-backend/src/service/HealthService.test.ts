import { mockServices } from '@backstage/backend-test-utils';
import {
  WorkerRegistry,
  createRedisConnection,
} from '@internal/backstage-plugin-orch-node';
import {
  orchTestDatabases,
  startTestRedisServer,
  type TestRedisServer,
} from '@internal/backstage-plugin-orch-node/testUtils';
import type { Redis } from 'ioredis';
import { HealthService } from './HealthService';

const databases = orchTestDatabases();

describe.each(databases.eachSupportedId())('HealthService on %p', databaseId => {
  let server: TestRedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestRedisServer();
    redis = createRedisConnection(server.url, 'command');
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  async function createService() {
    const knex = await databases.init(databaseId);
    const workers = new WorkerRegistry(redis, 'orch');
    const health = new HealthService({
      database: mockServices.database({ knex }),
      redis,
      workers,
      workerTtlMs: 15_000,
      checkTimeoutMs: 1000,
    });
    return { health, workers };
  }

  it('is ok when the database, Redis and a worker answer', async () => {
    const { health, workers } = await createService();
    await workers.beat({
      id: 'w1',
      hostname: 'test',
      pid: 1,
      concurrency: 3,
      startedAt: new Date().toISOString(),
    });

    const report = await health.report();
    expect(report.status).toBe('ok');
    expect(report.checks.database.status).toBe('ok');
    expect(report.checks.redis.status).toBe('ok');
    expect(report.checks.worker).toMatchObject({
      status: 'ok',
      details: { workers: 1, concurrency: 3 },
    });
    await workers.remove('w1');
  });

  it('names the worker check when no worker has a heartbeat', async () => {
    const { health } = await createService();
    const report = await health.report();
    expect(report.status).toBe('error');
    expect(report.checks.worker.status).toBe('error');
    expect(report.checks.worker.error).toMatch(/no worker heartbeat/);
    expect(report.checks.database.status).toBe('ok');
  });

  it('reports Redis down while it is stopped and ok again once it is back', async () => {
    const { health } = await createService();
    await server.stop();
    const down = await health.report();
    expect(down.status).toBe('error');
    expect(down.checks.redis.status).toBe('error');
    expect(down.checks.database.status).toBe('ok');

    await server.start();
    // The same client reconnects by itself; wait for that event rather than
    // sleeping.
    if (redis.status !== 'ready') {
      await new Promise(resolve => redis.once('ready', resolve));
    }
    const up = await health.report();
    expect(up.checks.redis.status).toBe('ok');
  });
});
