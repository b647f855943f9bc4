import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ORCH_JOBS_QUEUE } from '../queue';

/**
 * The BullMQ side of jobs. The BullMQ job id IS the Orch job id, so adding a
 * job twice is a no-op, and the database stays the source of truth: the
 * queue entry only says "someone should run job X".
 * @public
 */
export class JobQueue {
  private readonly queue: Queue;

  constructor(options: { connection: Redis; prefix: string }) {
    this.queue = new Queue(ORCH_JOBS_QUEUE, {
      connection: options.connection,
      prefix: options.prefix,
    });
    this.queue.on('error', () => {});
  }

  /** Asks a worker to run the job. Idempotent. */
  async enqueue(jobId: string): Promise<void> {
    await this.queue.add(
      'run',
      { jobId },
      {
        jobId,
        // The worker decides retries from the database (retryOnWorkerLost);
        // BullMQ's own attempts would run a job twice.
        attempts: 1,
        removeOnComplete: { age: 3600, count: 10000 },
        removeOnFail: { age: 24 * 3600, count: 10000 },
      },
    );
  }

  /**
   * Whether a live queue entry (waiting, delayed, active) exists for the job.
   * Completed and failed entries do not count: they will not run again.
   */
  async isQueued(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return !['completed', 'failed', 'unknown'].includes(state);
  }

  /**
   * Puts a job back on the queue when its entry is gone or spent. Returns
   * true when it had to.
   */
  async ensureQueued(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (job) {
      const state = await job.getState();
      if (!['completed', 'failed', 'unknown'].includes(state)) return false;
      await job.remove().catch(() => {});
    }
    await this.enqueue(jobId);
    return true;
  }

  /** Removes a waiting entry (a PENDING job that was canceled). */
  async remove(jobId: string): Promise<void> {
    await this.queue.remove(jobId).catch(() => 0);
  }

  /** Counts by state, for health and benchmarks. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
