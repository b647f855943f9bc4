import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A Docker socket between a client and the real one, that a test can cut and
 * restore to play an engine that goes away.
 * @public
 */
export type DockerSocketProxy = {
  /** The unix socket to give the client (`new Docker({ socketPath })`). */
  socketPath: string;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /**
   * Destroys every open connection and stops listening: new connections are
   * refused until {@link DockerSocketProxy.restore}.
   */
  cut(): Promise<void>;
  /** Listens again. */
  restore(): Promise<void>;
  /** Cuts and removes the socket. */
  close(): Promise<void>;
};

/**
 * Starts a {@link DockerSocketProxy} forwarding byte for byte to `target`.
 * @public
 */
export async function startDockerSocketProxy(options?: {
  target?: string;
}): Promise<DockerSocketProxy> {
  const target = options?.target ?? '/var/run/docker.sock';
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-docker-proxy-'));
  const socketPath = path.join(dir, 'docker.sock');
  const open = new Set<net.Socket>();
  let server: net.Server | undefined;

  const listen = async () => {
    await fs.rm(socketPath, { force: true });
    const s = net.createServer(client => {
      const upstream = net.connect(target);
      open.add(client);
      open.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on('error', drop);
      upstream.on('error', drop);
      client.on('close', drop);
      upstream.on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(socketPath, () => {
        s.off('error', reject);
        resolve();
      });
    });
    server = s;
  };

  const cut = async () => {
    const s = server;
    server = undefined;
    const closed = s
      ? new Promise<void>(resolve => s.close(() => resolve()))
      : Promise.resolve();
    for (const socket of open) socket.destroy();
    open.clear();
    await closed;
    await fs.rm(socketPath, { force: true });
  };

  await listen();
  return {
    socketPath,
    get connections() {
      return open.size / 2;
    },
    cut,
    restore: async () => {
      if (!server) await listen();
    },
    close: async () => {
      await cut();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
