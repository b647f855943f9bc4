import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import type {
  DatabaseJobStore,
  JobEventStream,
} from '@internal/backstage-plugin-orch-node';
import type { StepFolder } from './StepFolder';

/** @public */
export type EventBatcherOptions = {
  jobId: string;
  store: Pick<DatabaseJobStore, 'insertEvents' | 'upsertSteps'>;
  stream: Pick<JobEventStream, 'publishEvents'>;
  folder: StepFolder;
  /**
   * Events per database batch.
   * @defaultValue 1000
   */
  batchSize?: number;
  /**
   * Longest time an event waits in the buffer, in milliseconds.
   * @defaultValue 100
   */
  flushIntervalMs?: number;
};

/**
 * Buffers a job's events and writes them in batches: database first, then
 * steps, then the live stream — so a live reader never sees an event the
 * database does not have. One write at a time, in order; `add` returns the
 * write's promise when the buffer is full, so a fast producer waits for a
 * slow database instead of growing memory.
 * @public
 */
export class EventBatcher {
  private buffer: JobEvent[] = [];
  /** Database writes, in order. */
  private written: Promise<void> = Promise.resolve();
  /** Stream publishes, in order, each after its own batch's database write. */
  private published: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private failure?: Error;
  private readonly batchSize: number;
  private readonly interval: number;

  constructor(private readonly options: EventBatcherOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.interval = options.flushIntervalMs ?? 100;
  }

  add(event: JobEvent): Promise<void> | void {
    this.buffer.push(event);
    this.options.folder.add(event);
    if (this.buffer.length >= this.batchSize) return this.flush();
    this.timer ??= setTimeout(() => {
      this.flush().catch(() => {});
    }, this.interval);
    return undefined;
  }

  /** Writes what is left; rejects if any batch failed. */
  async close(ts: string): Promise<void> {
    this.options.folder.finish(ts);
    await this.flush();
    await this.published;
    if (this.failure) throw this.failure;
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    const steps = this.options.folder.drain();
    const { jobId, store, stream } = this.options;
    // Batch N is published while batch N+1 is written: the two overlap, yet
    // no event reaches the stream before the database has it.
    const written = this.written.then(async () => {
      try {
        if (batch.length) await store.insertEvents(batch);
        if (steps.length) await store.upsertSteps(jobId, steps);
        return true;
      } catch (e) {
        this.failure ??= e as Error;
        return false;
      }
    });
    this.written = written.then(() => {});
    this.published = Promise.all([this.published, written]).then(
      async ([, ok]) => {
        if (!ok || batch.length === 0) return;
        try {
          await stream.publishEvents(jobId, batch);
        } catch (e) {
          this.failure ??= e as Error;
        }
      },
    );
    // Back-pressure follows the database; the stream is bounded by it.
    return this.written;
  }
}
