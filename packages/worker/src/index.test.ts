import { spawn } from 'child_process';
import { once } from 'events';
import { resolve } from 'path';
import { Redis } from 'ioredis';
import { testRedis } from '@internal/backstage-plugin-orch-node/testUtils';

// Runs the real worker entry point as a child process, the way script/server
// does, against a real Redis.
describe('worker process', () => {
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

  it('connects to Redis, announces itself, and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        resolve(__dirname, 'index.ts'),
        '--config',
        resolve(__dirname, '../../../app-config.yaml'),
      ],
      {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          APP_CONFIG_orch_redis_url: env.url,
          APP_CONFIG_orch_redis_prefix: env.prefix,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stderr!.on('data', d => {
      output += d;
    });
    await new Promise<void>((ready, fail) => {
      child.stdout!.on('data', d => {
        output += d;
        if (output.includes('orch worker ready')) ready();
      });
      child.once('exit', code =>
        fail(new Error(`worker exited early (${code}):\n${output}`)),
      );
    });

    const workers = await redis.hgetall(`${env.prefix}:workers`);
    expect(Object.keys(workers)).toHaveLength(1);
    expect(JSON.parse(Object.values(workers)[0]).pid).toBe(child.pid);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // A clean stop takes the worker out of the registry at once, so health
    // does not wait for the heartbeat to expire.
    expect(await redis.hlen(`${env.prefix}:workers`)).toBe(0);
  }, 60_000);
});
