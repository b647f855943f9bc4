import { NotFoundError } from '@backstage/errors';
import type {
  ContainerLogs,
  LogLine,
} from '@internal/backstage-plugin-portainer-common';
import type { PortainerConfig } from './config';
import { deadline, DockerApiError } from './docker/DockerApi';
import { LogDecoder } from '@internal/backstage-plugin-portainer-node';
import {
  endpointError,
  type EndpointRegistry,
  type ResolvedEndpoint,
} from './EndpointRegistry';

/** What part of a container's output to read. */
export type LogRequest = {
  /** Last lines; when unset, every line since `since`, else `logs.defaultTail`. */
  tail?: number;
  /** Docker's `seconds.nanoseconds` form. */
  since?: string;
  /** Whether each line carries its `ts`. */
  timestamps?: boolean;
};

/** A followed log: its lines in batches as they come, until the container stops. */
export type LogFollow = {
  containerId: string;
  batches: AsyncGenerator<LogLine[]>;
};

/**
 * Container logs as lines with their stream (stdout/stderr): Docker's
 * multiplexed frames decoded, TTY containers read as one raw stream.
 */
export class LogService {
  constructor(
    private readonly deps: {
      registry: EndpointRegistry;
      config: PortainerConfig;
    },
  ) {}

  async snapshot(
    endpointId: string,
    containerId: string,
    request: LogRequest,
  ): Promise<ContainerLogs> {
    const { requestMs } = this.deps.config.timeouts;
    const { maxBytes, defaultTail } = this.deps.config.logs;
    const endpoint = await this.deps.registry.resolve(endpointId);
    const signal = deadline(requestMs);
    const timestamps = request.timestamps ?? false;
    const { id, tty } = await this.container(endpoint, containerId, signal);
    const { data, truncated } = await this.call(endpoint, containerId, () =>
      endpoint.docker.containerLogs(
        id,
        {
          tail: request.tail ?? (request.since ? undefined : defaultTail),
          ...(request.since ? { since: request.since } : {}),
          timestamps,
        },
        maxBytes,
        signal,
      ),
    );
    const decoder = new LogDecoder({ tty, timestamps });
    const lines = [...decoder.push(data), ...(truncated ? [] : decoder.end())];
    return { endpointId, containerId: id, lines, truncated };
  }

  /**
   * Follows a container's output (each line with its `ts`). Settles once the
   * endpoint answers (404 and 502/503 come as errors then); the batches end
   * when the container stops, and when `signal` aborts.
   */
  async follow(
    endpointId: string,
    containerId: string,
    request: LogRequest,
    signal: AbortSignal,
  ): Promise<LogFollow> {
    const { requestMs } = this.deps.config.timeouts;
    const endpoint = await this.deps.registry.resolve(endpointId);
    const { id, tty } = await this.container(
      endpoint,
      containerId,
      deadline(requestMs, signal),
    );
    const stream = await this.call(endpoint, containerId, () =>
      endpoint.docker.followContainerLogs(
        id,
        {
          tail:
            request.tail ??
            (request.since ? undefined : this.deps.config.logs.defaultTail),
          ...(request.since ? { since: request.since } : {}),
          timestamps: true,
        },
        signal,
        requestMs,
      ),
    );
    async function* batches(): AsyncGenerator<LogLine[]> {
      const decoder = new LogDecoder({ tty, timestamps: true });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          const lines = decoder.push(chunk);
          if (lines.length) yield lines;
        }
        const rest = decoder.end();
        if (rest.length) yield rest;
      } finally {
        stream.destroy();
      }
    }
    return { containerId: id, batches: batches() };
  }

  /** The container's full id and whether it has a TTY (its logs are then raw). */
  private async container(
    endpoint: ResolvedEndpoint,
    containerId: string,
    signal: AbortSignal,
  ): Promise<{ id: string; tty: boolean }> {
    const inspect = await this.call(endpoint, containerId, () =>
      endpoint.docker.inspectContainer(containerId, signal),
    );
    return { id: inspect.Id, tty: Boolean(inspect.Config?.Tty) };
  }

  private async call<T>(
    endpoint: ResolvedEndpoint,
    containerId: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof DockerApiError && e.status === 404) {
        throw new NotFoundError(
          `No container ${containerId} on endpoint ${endpoint.ref.name}`,
        );
      }
      throw endpointError(endpoint.ref, e, this.deps.config.timeouts.requestMs);
    }
  }
}
