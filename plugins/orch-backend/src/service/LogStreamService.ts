import {
  isFinalJobStatus,
  type JobEvent,
  type JobStatus,
} from '@internal/backstage-plugin-orch-common';
import type {
  DatabaseJobStore,
  JobEventStream,
} from '@internal/backstage-plugin-orch-node';
import type { Redis } from 'ioredis';

/** Where a log stream writes; the router adapts it to SSE. */
export type LogSink = {
  event(event: JobEvent): Promise<void>;
  status(status: JobStatus, error?: string): Promise<void>;
  end(status: JobStatus): Promise<void>;
  /** Keeps proxies from closing an idle connection. */
  ping(): Promise<void>;
};

const PAGE = 1000;
const PING_MS = 15_000;

/**
 * Streams one job's events to a reader: everything after `after` from the
 * database, then live from the job's Redis stream, then `end`. No gap, no
 * repeat: the stream position is taken BEFORE the database replay (writers
 * append to the stream after the database), and every event is compared
 * with the last sequence number sent.
 */
export class LogStreamService {
  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      stream: JobEventStream;
      redis: Redis;
      blockMs?: number;
    },
  ) {}

  async run(jobId: string, after: number, sink: LogSink, signal: AbortSignal) {
    const { store, stream } = this.deps;
    const position = await stream.position(jobId).catch(() => '0-0');
    let last = await this.replay(jobId, after, undefined, sink, signal);

    let job = await store.getJob(jobId);
    if (!job) return;
    await sink.status(job.status, job.error);
    if (isFinalJobStatus(job.status)) {
      await sink.end(job.status);
      return;
    }

    // XREAD BLOCK holds a connection: each reader gets its own, without the
    // command timeout request-scoped connections have.
    const reader = this.deps.redis.duplicate({
      commandTimeout: undefined,
      maxRetriesPerRequest: null,
    });
    reader.on('error', () => {});
    const onAbort = () => reader.disconnect();
    signal.addEventListener('abort', onAbort);
    let lastWrite = Date.now();
    try {
      for await (const item of stream.follow(jobId, position, {
        reader,
        signal,
        blockMs: this.deps.blockMs ?? 5000,
      })) {
        if (signal.aborted) return;
        if ('idle' in item) {
          // No news: the worker may have died without a word. The database
          // says how the job stands.
          job = await store.getJob(jobId);
          if (job && isFinalJobStatus(job.status)) {
            last = await this.replay(jobId, last, undefined, sink, signal);
            await sink.status(job.status, job.error);
            await sink.end(job.status);
            return;
          }
          if (Date.now() - lastWrite >= PING_MS) {
            await sink.ping();
            lastWrite = Date.now();
          }
          continue;
        }
        const message = item.message;
        lastWrite = Date.now();
        if (message.kind === 'events') {
          const first = message.events[0];
          if (first && first.seq > last + 1) {
            // The stream was trimmed past this reader: fill the hole from
            // the database.
            last = await this.replay(jobId, last, first.seq - 1, sink, signal);
          }
          for (const event of message.events) {
            if (event.seq <= last) continue;
            await sink.event(event);
            last = event.seq;
          }
        } else if (message.kind === 'status') {
          await sink.status(message.status, message.error);
        } else {
          last = await this.replay(jobId, last, undefined, sink, signal);
          await sink.end(message.status);
          return;
        }
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      signal.removeEventListener('abort', onAbort);
      reader.disconnect();
    }
  }

  /** Sends stored events with `after < seq <= upTo`; returns the last sent. */
  private async replay(
    jobId: string,
    after: number,
    upTo: number | undefined,
    sink: LogSink,
    signal: AbortSignal,
  ): Promise<number> {
    let last = after;
    for (;;) {
      if (signal.aborted) return last;
      const page = await this.deps.store.listEvents(jobId, { after: last, limit: PAGE });
      for (const event of page.items) {
        if (upTo !== undefined && event.seq > upTo) return last;
        await sink.event(event);
        last = event.seq;
      }
      if (page.items.length < PAGE) return last;
    }
  }
}
