import { spawn } from 'child_process';
import { once } from 'events';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
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
    // A throw-away configuration: its own SQLite files, key and folders.
    const dir = mkdtempSync(join(tmpdir(), 'orch-worker-test-'));
    const keyFile = join(dir, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      JSON.stringify({
        backend: {
          baseUrl: 'http://localhost:7007',
          database: { client: 'better-sqlite3', connection: { directory: join(dir, 'db') } },
        },
        orch: {
          redis: { url: env.url, prefix: env.prefix },
          secrets: { keyFile },
          artifacts: { dir: join(dir, 'artifacts') },
          worker: { dataDir: join(dir, 'data') },
        },
      }),
    );
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        resolve(__dirname, 'index.ts'),
        '--config',
        configFile,
      ],
      {
        cwd: resolve(__dirname, '../../..'),
        env: { ...process.env, NODE_ENV: 'production' },
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
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
