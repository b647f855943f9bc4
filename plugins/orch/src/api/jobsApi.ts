import type { FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  Job,
  JobEvent,
  JobStatus,
  JobStep,
  Runbook,
} from '@internal/backstage-plugin-orch-common';
import type { OrchApi } from './OrchClient';
import { SseParser } from './SseParser';

/** A file a finished job left, as `GET /v1/jobs/:id` lists it. @public */
export type JobArtifact = { name: string; size: number; url: string };

/** `GET /v1/jobs/:id`. @public */
export type JobDetail = {
  job: Job;
  steps: JobStep[];
  artifacts: JobArtifact[];
  /** Highest stored event sequence number, 0 for none. */
  lastSeq: number;
};

/** Which events to read: `after < seq < before`, optionally matching `q`. @public */
export type JobEventsQuery = {
  after?: number;
  before?: number;
  limit?: number;
  q?: string;
};

/** One page of events in `seq` order. @public */
export type JobEventsPage = { items: JobEvent[]; nextAfter?: number };

/** What a live log stream reports. @public */
export type JobLogHandlers = {
  /** New events in order, never one already delivered. */
  onEvents(events: JobEvent[]): void;
  onStatus?(status: JobStatus, error?: string): void;
  /** The job ended; the stream is over. */
  onEnd?(status: JobStatus): void;
  /** `reconnecting` after a dropped connection, `open` once it is back. */
  onConnection?(state: 'open' | 'reconnecting'): void;
};

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

/**
 * The job page's calls: job detail, event pages and search, the live log
 * stream (SSE read through the FetchApi, so the Backstage token goes with
 * it), cancel, relaunch and downloads.
 * @public
 */
export class JobsClient {
  constructor(
    private readonly orch: OrchApi,
    private readonly fetchApi: FetchApi,
  ) {}

  private path(id: string, rest = '') {
    return `/v1/jobs/${encodeURIComponent(id)}${rest}`;
  }

  getJob(id: string): Promise<JobDetail> {
    return this.orch.request<JobDetail>('GET', this.path(id));
  }

  listEvents(id: string, query: JobEventsQuery): Promise<JobEventsPage> {
    const params = new URLSearchParams();
    if (query.after !== undefined) params.set('after', String(query.after));
    if (query.before !== undefined) params.set('before', String(query.before));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.q) params.set('q', query.q);
    return this.orch.request<JobEventsPage>(
      'GET',
      this.path(id, `/events?${params}`),
    );
  }

  cancel(id: string): Promise<Job> {
    return this.orch.request<Job>('POST', this.path(id, '/cancel'));
  }

  /** Secret inputs are not kept after a job: a relaunch needs them again. */
  relaunch(
    id: string,
    secrets?: Record<string, unknown>,
  ): Promise<{ jobId: string }> {
    return this.orch.request<{ jobId: string }>(
      'POST',
      this.path(id, '/relaunch'),
      secrets && Object.keys(secrets).length ? { secrets } : {},
    );
  }

  getRunbook(name: string): Promise<Runbook> {
    return this.orch.request<Runbook>(
      'GET',
      `/v1/runbooks/${encodeURIComponent(name)}`,
    );
  }

  /**
   * Follows a job's log from `after` until it ends or `signal` aborts. A
   * dropped connection is resumed with `Last-Event-ID` (no gap, no repeat);
   * a refusal (4xx) rejects. Events arrive in batches, one per network read.
   */
  async streamLogs(
    id: string,
    after: number,
    handlers: JobLogHandlers,
    signal: AbortSignal,
  ): Promise<void> {
    const url = await this.orch.url(this.path(id, '/logs/stream'));
    let last = after;
    let retryMs = DEFAULT_RETRY_MS;
    while (!signal.aborted) {
      let ended = false;
      try {
        const response = await this.fetchApi.fetch(url, {
          headers: {
            Accept: 'text/event-stream',
            'Last-Event-ID': String(last),
          },
          signal,
        });
        if (!response.ok) {
          const error = await ResponseError.fromResponse(response);
          if (response.status >= 400 && response.status < 500) throw error;
          throw Object.assign(error, { retry: true });
        }
        if (!response.body) throw new Error('The log stream has no body');
        handlers.onConnection?.('open');
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          let batch: JobEvent[] = [];
          const flush = () => {
            if (batch.length) handlers.onEvents(batch);
            batch = [];
          };
          for (const m of parser.feed(
            decoder.decode(value, { stream: true }),
          )) {
            if (m.event === 'message') {
              const event = JSON.parse(m.data) as JobEvent;
              if (event.seq > last) {
                batch.push(event);
                last = event.seq;
              }
            } else if (m.event === 'status') {
              flush();
              const { status, error } = JSON.parse(m.data);
              handlers.onStatus?.(status, error);
            } else if (m.event === 'end') {
              flush();
              ended = true;
              handlers.onEnd?.(JSON.parse(m.data).status);
            }
          }
          flush();
          if (parser.retry !== undefined) retryMs = parser.retry;
          if (ended) {
            await reader.cancel().catch(() => {});
            return;
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ResponseError && !(e as { retry?: boolean }).retry) {
          throw e;
        }
      }
      if (ended || signal.aborted) return;
      handlers.onConnection?.('reconnecting');
      await sleep(retryMs, signal);
    }
  }

  /** Saves an artifact with the browser's download, the token sent along. */
  async download(artifact: JobArtifact, fileName: string): Promise<void> {
    const base = await this.orch.url('');
    // artifact.url is the backend path (/api/orch/...); the base may be on
    // another origin than the app.
    const url = artifact.url.startsWith('/api/orch')
      ? `${base}${artifact.url.slice('/api/orch'.length)}`
      : artifact.url;
    const response = await this.fetchApi.fetch(url);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const blob = await response.blob();
    const href = URL.createObjectURL(blob);
    try {
      const a = document.createElement('a');
      a.href = href;
      a.download = fileName;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } finally {
      setTimeout(() => URL.revokeObjectURL(href), 10_000);
    }
  }
}
