import Docker from 'dockerode';
import type { Readable } from 'stream';
import {
  abortError,
  connectDeadline,
  DockerApiError,
  errorMessage,
  type DockerApi,
  type LogQuery,
  type RawContainer,
  type RawContainerInspect,
  type RawInfo,
  type RawService,
  type RawVersion,
} from './DockerApi';

/** The Docker API on a unix socket, through dockerode. */
export class LocalDockerApi implements DockerApi {
  private readonly docker: Docker;

  constructor(readonly socketPath: string) {
    this.docker = new Docker({ socketPath });
  }

  version(signal: AbortSignal): Promise<RawVersion> {
    // dockerode takes a signal here too; its typings do not say so.
    const docker = this.docker as any;
    return this.call('Docker version', signal, () =>
      docker.version({ abortSignal: signal }),
    );
  }

  info(signal: AbortSignal): Promise<RawInfo> {
    const docker = this.docker as any;
    return this.call('Docker info', signal, () =>
      docker.info({ abortSignal: signal }),
    );
  }

  listContainers(signal: AbortSignal): Promise<RawContainer[]> {
    return this.call('container list', signal, () =>
      this.docker.listContainers({ all: true, abortSignal: signal }),
    );
  }

  inspectContainer(
    id: string,
    signal: AbortSignal,
  ): Promise<RawContainerInspect> {
    return this.call('container inspect', signal, () =>
      this.docker.getContainer(id).inspect({ abortSignal: signal }),
    );
  }

  listServices(signal: AbortSignal): Promise<RawService[]> {
    const docker = this.docker as any;
    return this.call('service list', signal, () =>
      docker.listServices({ status: true, abortSignal: signal }),
    );
  }

  async containerLogs(
    id: string,
    query: LogQuery,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<{ data: Buffer; truncated: boolean }> {
    // dockerode buffers a snapshot whole; as a stream, it can be cut at
    // maxBytes.
    const stream = await this.openLogs(id, query, false, signal);
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (size + chunk.length > maxBytes) {
          chunks.push(chunk.subarray(0, maxBytes - size));
          size = maxBytes;
          truncated = true;
          break;
        }
        chunks.push(chunk);
        size += chunk.length;
      }
    } catch (e) {
      if (signal.aborted) throw abortError(signal, 'container logs');
      throw new DockerApiError(
        `container logs failed while reading: ${(e as Error).message}`,
        'unreachable',
      );
    } finally {
      stream.destroy();
    }
    return { data: Buffer.concat(chunks, size), truncated };
  }

  async followContainerLogs(
    id: string,
    query: LogQuery,
    lifetime: AbortSignal,
    connectTimeoutMs: number,
  ): Promise<Readable> {
    const { signal, connected } = connectDeadline(lifetime, connectTimeoutMs);
    const stream = await this.openLogs(id, query, true, signal);
    connected();
    return stream;
  }

  private openLogs(
    id: string,
    query: LogQuery,
    follow: boolean,
    signal: AbortSignal,
  ): Promise<Readable> {
    const options: Record<string, unknown> = {
      stdout: true,
      stderr: true,
      follow,
      timestamps: query.timestamps,
    };
    if (query.tail !== undefined) options.tail = query.tail;
    if (query.since !== undefined) options.since = query.since;
    return this.call(
      'container logs',
      signal,
      () =>
        new Promise<Readable>((resolve, reject) => {
          this.docker.modem.dial(
            {
              path: `/containers/${encodeURIComponent(id)}/logs?`,
              method: 'GET',
              isStream: true,
              abortSignal: signal,
              statusCodes: {
                200: true,
                404: 'no such container',
                500: 'server error',
              },
              options,
            } as any,
            (err: unknown, stream: unknown) =>
              err ? reject(err) : resolve(stream as Readable),
          );
        }),
    );
  }

  /** Runs a dockerode call, turning its errors into DockerApiErrors. */
  private async call<T>(
    what: string,
    signal: AbortSignal,
    run: () => Promise<T>,
  ): Promise<T> {
    if (signal.aborted) throw abortError(signal, what);
    try {
      return await run();
    } catch (e) {
      if (signal.aborted) throw abortError(signal, what);
      const error = e as {
        statusCode?: number;
        json?: unknown;
        reason?: string;
        code?: string;
        message?: string;
      };
      if (typeof error.statusCode === 'number') {
        let body: string;
        if (typeof error.json === 'string') body = error.json;
        else if (Buffer.isBuffer(error.json))
          body = error.json.toString('utf8');
        else body = JSON.stringify(error.json ?? { message: error.reason });
        throw new DockerApiError(
          `${what} answered ${error.statusCode}: ${errorMessage(body)}`,
          'status',
          error.statusCode,
        );
      }
      throw new DockerApiError(
        `${what} failed: ${error.code ?? error.message}`,
        'unreachable',
      );
    }
  }
}
