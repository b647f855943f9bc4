import type { JobEvent, JobStatus } from '@internal/backstage-plugin-orch-common';
import type { Redis } from 'ioredis';

/**
 * What travels on a job's live stream. Events go in batches (one stream
 * entry per database batch), so the stream's cost does not grow with the
 * number of lines.
 * @public
 */
export type LiveMessage =
  | { kind: 'events'; events: JobEvent[] }
  | { kind: 'status'; status: JobStatus; error?: string }
  | { kind: 'end'; status: JobStatus };

/** @public */
export type JobEventStreamOptions = {
  /** A non-blocking connection for writes. */
  redis: Redis;
  prefix: string;
  /**
   * Entries kept per job (approximate trim). Readers that fall further behind
   * catch up from the database, which has every event.
   * @defaultValue 2000
   */
  maxEntries?: number;
  /**
   * How long a finished job's stream stays, in seconds.
   * @defaultValue 600
   */
  ttlAfterEndSeconds?: number;
};

/**
 * One Redis stream per job carrying its live events, status changes and end.
 * Writers append AFTER the database write, so whatever a reader sees here is
 * already in the database: a reader that takes the stream position, then
 * replays the database, then follows the stream from that position, misses
 * nothing. Any backend replica can serve any reader.
 * @public
 */
export class JobEventStream {
  private readonly maxEntries: number;
  private readonly ttl: number;

  constructor(private readonly options: JobEventStreamOptions) {
    this.maxEntries = options.maxEntries ?? 2000;
    this.ttl = options.ttlAfterEndSeconds ?? 600;
  }

  key(jobId: string): string {
    return `${this.options.prefix}:job:${jobId}:live`;
  }

  async publish(jobId: string, message: LiveMessage): Promise<void> {
    const key = this.key(jobId);
    const multi = this.options.redis
      .multi()
      .xadd(key, 'MAXLEN', '~', this.maxEntries, '*', 'm', JSON.stringify(message));
    if (message.kind === 'end') multi.expire(key, this.ttl);
    await multi.exec();
  }

  publishEvents(jobId: string, events: JobEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.publish(jobId, { kind: 'events', events });
  }

  /** The id of the newest entry, or `0-0` when the stream is empty or gone. */
  async position(jobId: string): Promise<string> {
    const last = await this.options.redis.xrevrange(this.key(jobId), '+', '-', 'COUNT', 1);
    return last.length ? last[0][0] : '0-0';
  }

  /**
   * Follows the stream after `fromId`, yielding messages in order until the
   * signal aborts. Uses the given connection for blocking reads: give each
   * reader its own (`redis.duplicate()`), since XREAD BLOCK holds it.
   */
  async *follow(
    jobId: string,
    fromId: string,
    options: { reader: Redis; signal: AbortSignal; blockMs?: number },
  ): AsyncGenerator<{ id: string; message: LiveMessage } | { idle: true }> {
    const key = this.key(jobId);
    let cursor = fromId;
    while (!options.signal.aborted) {
      const result = (await options.reader.xread(
        'COUNT',
        200,
        'BLOCK',
        options.blockMs ?? 5000,
        'STREAMS',
        key,
        cursor,
      )) as Array<[string, Array<[string, string[]]>]> | null;
      if (!result) {
        // Nothing within blockMs: let the caller check the job's state.
        yield { idle: true };
        continue;
      }
      for (const [, entries] of result) {
        for (const [id, fields] of entries) {
          cursor = id;
          const raw = fields[fields.indexOf('m') + 1];
          yield { id, message: JSON.parse(raw) as LiveMessage };
        }
      }
    }
  }
}
