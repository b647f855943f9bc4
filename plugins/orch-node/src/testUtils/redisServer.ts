import { spawn, type ChildProcess } from 'child_process';
import { once } from 'events';
import { createServer } from 'net';
import { Redis } from 'ioredis';

/**
 * A private `redis-server` child for tests that must stop and restart Redis.
 * It is the real binary: a test that needs Redis fails when it is missing.
 * @public
 */
export type TestRedisServer = {
  url: string;
  port: number;
  /** Stops the server and waits until the process has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  start(): Promise<void>;
};

/** Finds a free TCP port on the loopback interface. @public */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') {
    throw new Error('could not allocate a port');
  }
  return address.port;
}

/**
 * Starts a throw-away `redis-server` (no persistence) on a free port.
 * @public
 */
export async function startTestRedisServer(): Promise<TestRedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn(
      process.env.ORCH_REDIS_SERVER_BIN ?? 'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    let output = '';
    proc.stdout!.on('data', d => {
      output += d;
    });
    proc.stderr!.on('data', d => {
      output += d;
    });
    // Wait for the server's own "ready" line rather than polling the port.
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (/Ready to accept connections/i.test(output)) {
          proc.stdout!.off('data', onData);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.once('error', e =>
        reject(new Error(`redis-server could not start: ${e.message}`)),
      );
      proc.once('exit', code =>
        reject(new Error(`redis-server exited with ${code}: ${output}`)),
      );
    });
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };

  await start();
  return { url, port, start, stop };
}

/**
 * The Redis that script/test provides (`ORCH_REDIS_URL`), or a private one
 * when none is configured. Returns a key prefix unique to the caller so
 * tests can share one Redis without seeing each other's keys.
 * @public
 */
export async function testRedis(): Promise<{
  url: string;
  prefix: string;
  close(): Promise<void>;
}> {
  const prefix = `test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  if (process.env.ORCH_REDIS_URL) {
    const probe = new Redis(process.env.ORCH_REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    try {
      await probe.connect();
      await probe.ping();
    } finally {
      probe.disconnect();
    }
    return { url: process.env.ORCH_REDIS_URL, prefix, close: async () => {} };
  }
  const server = await startTestRedisServer();
  return { url: server.url, prefix, close: () => server.stop() };
}
