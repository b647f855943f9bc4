import { Redis } from 'ioredis';
import { WorkerRegistry } from './WorkerRegistry';
import { testRedis } from './testUtils';

describe('WorkerRegistry', () => {
  let redis: Redis;
  let env: Awaited<ReturnType<typeof testRedis>>;

  beforeAll(async () => {
    env = await testRedis();
    redis = new Redis(env.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await env.close();
  });

  const info = (id: string) => ({
    id,
    hostname: 'h',
    pid: 1,
    concurrency: 2,
    startedAt: new Date(0).toISOString(),
  });

  it('counts only workers with a recent heartbeat and prunes long-dead ones', async () => {
    const registry = new WorkerRegistry(redis, env.prefix);
    const now = 1_000_000;
    await registry.beat(info('fresh'), now - 1_000);
    await registry.beat(info('stale'), now - 20_000);
    await registry.beat(info('dead'), now - 500_000);

    const live = await registry.live(15_000, now);
    expect(live.map(w => w.id)).toEqual(['fresh']);
    expect(await redis.hkeys(`${env.prefix}:workers`)).toEqual(
      expect.arrayContaining(['fresh', 'stale']),
    );
    expect(await redis.hexists(`${env.prefix}:workers`, 'dead')).toBe(0);

    await registry.remove('fresh');
    expect(await registry.live(15_000, now)).toEqual([]);
  });
});
