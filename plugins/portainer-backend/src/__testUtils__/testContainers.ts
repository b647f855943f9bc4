import { randomBytes } from 'crypto';
import Docker from 'dockerode';

/** A container a test started; `remove()` force-removes it. */
export type TestContainer = {
  id: string;
  name: string;
  remove(): Promise<void>;
};

/**
 * Starts a container from a local image (never pulls) and returns once it
 * runs. Its name is `orch-test-<name>-<random>`, so a leftover is easy to
 * spot and parallel runs never collide.
 */
export async function startTestContainer(options: {
  image: string;
  name: string;
  cmd: string[];
  env?: string[];
  labels?: Record<string, string>;
  tty?: boolean;
  socketPath?: string;
}): Promise<TestContainer> {
  const docker = new Docker({
    socketPath: options.socketPath ?? '/var/run/docker.sock',
  });
  // Unique: test runs on one engine must not collide.
  const name = `orch-test-${options.name}-${randomBytes(3).toString('hex')}`;
  const container = await docker.createContainer({
    name,
    Image: options.image,
    Cmd: options.cmd,
    Env: options.env,
    Labels: options.labels,
    Tty: options.tty ?? false,
    // The test images' sh ignores SIGTERM: don't wait for it.
    StopTimeout: 1,
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return {
    id: container.id,
    name,
    remove: async () => {
      await container.remove({ force: true }).catch(() => {});
    },
  };
}

/** Waits until `check` holds, polling; throws after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}
