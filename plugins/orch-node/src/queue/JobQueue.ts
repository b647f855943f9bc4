import type { JobKind } from '@internal/backstage-plugin-orch-common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ORCH_JOBS_QUEUE, ORCH_PROJECTS_QUEUE } from '../queue';

/**
 * The BullMQ side of jobs. The BullMQ job id IS the Orch job id, so adding a
 * job twice is a no-op, and the database stays the source of truth: the
 * queue entry only says "someone should run job X". Runbook jobs and
 * project installs go on separate queues (see {@link ORCH_PROJECTS_QUEUE}).
 * @public
 */
export class JobQueue {
  private readonly queues: Record<JobKind, Queue>;

  constructor(options: { connection: Redis; prefix: string }) {
    const make = (name: string) => {
      const queue = new Queue(name, {
        connection: options.connection,
        prefix: options.prefix,
      });
      queue.on('error', () => {});
      return queue;
    };
    this.queues = {
      runbook: make(ORCH_JOBS_QUEUE),
      project: make(ORCH_PROJECTS_QUEUE),
    };
  }

  /** Asks a worker to run the job. Idempotent. */
  async enqueue(jobId: string, kind: JobKind = 'runbook'): Promise<void> {
    await this.#add(kind, jobId, jobId);
  }

  /**
   * Queues again a job whose worker was lost while its queue entry still
   * stands: BullMQ keeps a dead worker's entry active until its lock expires
   * and a stalled-jobs check runs (30 to 60 s), and an entry with the job's
   * own id cannot be added beside it. This one has an id of its own
   * (`<jobId>-retry-<attempt>`), so a live worker takes the job now. The
   * database claim decides who runs it: the old entry, once released, finds
   * the job no longer PENDING and ends. Idempotent per attempt.
   */
  async requeueLost(
    jobId: string,
    kind: JobKind,
    attempt: number,
  ): Promise<void> {
    await this.#add(kind, jobId, `${jobId}-retry-${attempt}`);
  }

  async #add(kind: JobKind, jobId: string, entryId: string): Promise<void> {
    await this.queues[kind].add(
      'run',
      { jobId },
      {
        jobId: entryId,
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
  async isQueued(jobId: string, kind: JobKind = 'runbook'): Promise<boolean> {
    const job = await this.queues[kind].getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return !['completed', 'failed', 'unknown'].includes(state);
  }

  /**
   * Puts a job back on the queue when its entry is gone or spent. Returns
   * true when it had to.
   */
  async ensureQueued(jobId: string, kind: JobKind = 'runbook'): Promise<boolean> {
    const job = await this.queues[kind].getJob(jobId);
    if (job) {
      const state = await job.getState();
      if (!['completed', 'failed', 'unknown'].includes(state)) return false;
      await job.remove().catch(() => {});
    }
    await this.enqueue(jobId, kind);
    return true;
  }

  /**
   * Removes a waiting entry (a PENDING job that was canceled). A
   * {@link JobQueue.requeueLost} entry may stay: it finds the job canceled
   * and ends.
   */
  async remove(jobId: string): Promise<void> {
    for (const queue of Object.values(this.queues)) {
      await queue.remove(jobId).catch(() => 0);
    }
  }

  /** Counts by state of the runbook queue, for health and benchmarks. */
  async counts(kind: JobKind = 'runbook'): Promise<Record<string, number>> {
    return this.queues[kind].getJobCounts('waiting', 'active', 'delayed', 'failed');
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map(q => q.close()));
  }
}
