import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ContainerDetail,
  ContainerList,
  ContainerLogs,
  ContainerState,
  EndpointList,
  Incident,
  IncidentDetail,
  IncidentListResult,
  IncidentReason,
  IncidentStatus,
  ItemList,
  LogLine,
  Stack,
} from '@internal/backstage-plugin-portainer-common';
import { SseParser } from './SseParser';

/** Filters of `GET /v1/containers`. @public */
export type ContainerQuery = {
  endpointId: string;
  status?: ContainerState;
  stack?: string;
  service?: string;
};

/** Filters and page of `GET /v1/incidents`. @public */
export type IncidentQuery = {
  status?: IncidentStatus[];
  endpointId?: string;
  stack?: string;
  reason?: IncidentReason;
  cursor?: string;
  limit?: number;
};

/** What a followed container log reports. @public */
export type ContainerLogHandlers = {
  /** Lines in order, one batch per network read. */
  onLines(lines: LogLine[]): void;
  /** The container's output ended (it stopped); the stream is over. */
  onEnd?(reason: string): void;
  /** `reconnecting` after a dropped connection, `open` once it is back. */
  onConnection?(state: 'open' | 'reconnecting'): void;
};

/** @public */
export interface PortainerApi {
  listEndpoints(): Promise<EndpointList>;
  listContainers(query: ContainerQuery): Promise<ContainerList>;
  getContainer(endpointId: string, id: string): Promise<ContainerDetail>;
  getLogs(
    endpointId: string,
    id: string,
    options?: { tail?: number; since?: string; timestamps?: boolean },
  ): Promise<ContainerLogs>;
  /**
   * Follows a container's output (the last `tail` lines first) until it
   * ends or `signal` aborts. A dropped connection resumes after the last
   * line seen (`Last-Event-ID`); a refusal (4xx) rejects.
   */
  followLogs(
    endpointId: string,
    id: string,
    options: { tail?: number },
    handlers: ContainerLogHandlers,
    signal: AbortSignal,
  ): Promise<void>;
  listStacks(endpointId: string): Promise<ItemList<Stack>>;
  listIncidents(query: IncidentQuery): Promise<IncidentListResult>;
  getIncident(id: string): Promise<IncidentDetail>;
  acknowledgeIncident(id: string): Promise<Incident>;
  resolveIncident(id: string): Promise<Incident>;
}

/** @public */
export const portainerApiRef = createApiRef<PortainerApi>({
  id: 'plugin.orch.portainer',
});

const DEFAULT_RETRY_MS = 2000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Talks to the `portainer` backend plugin: endpoints, containers, logs
 * (snapshot and SSE follow, read through the FetchApi so the Backstage
 * token goes along) and incidents. Errors are `ResponseError`s.
 * @public
 */
export class PortainerClient implements PortainerApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  private async url(path: string): Promise<string> {
    return `${await this.deps.discoveryApi.getBaseUrl('portainer')}${path}`;
  }

  private async request<T>(method: string, path: string): Promise<T> {
    const response = await this.deps.fetchApi.fetch(await this.url(path), {
      method,
    });
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }

  listEndpoints(): Promise<EndpointList> {
    return this.request('GET', '/v1/endpoints');
  }

  listContainers(q: ContainerQuery): Promise<ContainerList> {
    return this.request(
      'GET',
      `/v1/containers${query({
        endpointId: q.endpointId,
        status: q.status,
        stack: q.stack,
        service: q.service,
      })}`,
    );
  }

  getContainer(endpointId: string, id: string): Promise<ContainerDetail> {
    return this.request(
      'GET',
      `/v1/containers/${encodeURIComponent(id)}${query({ endpointId })}`,
    );
  }

  getLogs(
    endpointId: string,
    id: string,
    options: { tail?: number; since?: string; timestamps?: boolean } = {},
  ): Promise<ContainerLogs> {
    return this.request(
      'GET',
      `/v1/containers/${encodeURIComponent(id)}/logs${query({
        endpointId,
        tail: options.tail,
        since: options.since,
        timestamps: options.timestamps ? 'true' : undefined,
      })}`,
    );
  }

  async followLogs(
    endpointId: string,
    id: string,
    options: { tail?: number },
    handlers: ContainerLogHandlers,
    signal: AbortSignal,
  ): Promise<void> {
    const url = await this.url(
      `/v1/containers/${encodeURIComponent(id)}/logs/stream${query({
        endpointId,
        tail: options.tail,
      })}`,
    );
    // The last line's id (its Docker timestamp): where a reconnection resumes.
    const position: { lastEventId?: string } = {};
    let retryMs = DEFAULT_RETRY_MS;
    while (!signal.aborted) {
      try {
        const headers: Record<string, string> = {
          Accept: 'text/event-stream',
        };
        if (position.lastEventId) {
          headers['Last-Event-ID'] = position.lastEventId;
        }
        const response = await this.deps.fetchApi.fetch(url, {
          headers,
          signal,
        });
        if (!response.ok) {
          const error = await ResponseError.fromResponse(response);
          if (response.status < 500) throw error;
          throw Object.assign(error, { retry: true });
        }
        if (!response.body) throw new Error('The log stream has no body');
        handlers.onConnection?.('open');
        const result = await this.read(response.body, handlers, position);
        if (result.retry !== undefined) retryMs = result.retry;
        if (result.ended) return;
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ResponseError && !(e as { retry?: boolean }).retry) {
          throw e;
        }
      }
      if (signal.aborted) return;
      handlers.onConnection?.('reconnecting');
      await sleep(retryMs, signal);
    }
  }

  /**
   * Reads one SSE response: `ended` when the server said the output ended,
   * `retry` the reconnection delay it asked for.
   */
  private async read(
    body: ReadableStream<Uint8Array>,
    handlers: ContainerLogHandlers,
    position: { lastEventId?: string },
  ): Promise<{ ended: boolean; retry?: number }> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { ended: false, retry: parser.retry };
        const batch: LogLine[] = [];
        let ended: string | undefined;
        let failed = false;
        for (const m of parser.feed(decoder.decode(value, { stream: true }))) {
          if (m.event === 'message') {
            const data = JSON.parse(m.data) as LogLine;
            batch.push({
              ts: data.ts ?? m.id,
              stream: data.stream === 'stderr' ? 'stderr' : 'stdout',
              line: data.line,
            });
            if (m.id) position.lastEventId = m.id;
          } else if (m.event === 'end') {
            ended = (JSON.parse(m.data) as { reason?: string }).reason ?? '';
          } else if (m.event === 'error') {
            // The server lost the container's output: resume after the
            // last line, as after a dropped connection.
            failed = true;
            break;
          }
        }
        if (batch.length) handlers.onLines(batch);
        if (failed) return { ended: false, retry: parser.retry };
        if (ended !== undefined) {
          await reader.cancel().catch(() => {});
          handlers.onEnd?.(ended);
          return { ended: true };
        }
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  listStacks(endpointId: string): Promise<ItemList<Stack>> {
    return this.request('GET', `/v1/stacks${query({ endpointId })}`);
  }

  listIncidents(q: IncidentQuery): Promise<IncidentListResult> {
    return this.request(
      'GET',
      `/v1/incidents${query({
        status: q.status?.length ? q.status.join(',') : undefined,
        endpointId: q.endpointId,
        stack: q.stack,
        reason: q.reason,
        cursor: q.cursor,
        limit: q.limit,
      })}`,
    );
  }

  getIncident(id: string): Promise<IncidentDetail> {
    return this.request('GET', `/v1/incidents/${encodeURIComponent(id)}`);
  }

  acknowledgeIncident(id: string): Promise<Incident> {
    return this.request('POST', `/v1/incidents/${encodeURIComponent(id)}/ack`);
  }

  resolveIncident(id: string): Promise<Incident> {
    return this.request(
      'POST',
      `/v1/incidents/${encodeURIComponent(id)}/resolve`,
    );
  }
}
