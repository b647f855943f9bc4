import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  DatabaseJobStore,
  JobQueue,
} from '@internal/backstage-plugin-orch-node';
import type { JobService } from './JobService';

/**
 * Keeps the queue and the database in agreement; the database wins.
 *
 * - A PENDING job without a live queue entry (Redis flushed or restarted, a
 *   worker handed it back) is enqueued again.
 * - A RUNNING job whose heartbeat is older than `staleAfterMs` lost its
 *   worker: it ends ERROR "worker lost", or goes back to PENDING when its
 *   runbook opts into retry (at most `maxAttempts` runs). A project install
 *   always goes back to PENDING (up to 3 × `maxAttempts` runs): the next
 *   worker resumes it from its steps.
 *
 * Runs on one backend replica at a time (a global scheduled task).
 */
export class Reconciler {
  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      queue: JobQueue;
      jobs: JobService;
      logger: LoggerService;
      staleAfterMs: number;
      maxAttempts?: number;
    },
  ) {}

  async run(now = new Date()): Promise<{ requeued: number; lost: number; retried: number }> {
    const { store, queue, logger } = this.deps;
    let requeued = 0;
    let lost = 0;
    let retried = 0;

    for (const kind of ['runbook', 'project'] as const) {
      for (const id of await store.listIdsByStatus('PENDING', 5000, kind)) {
        if (await queue.ensureQueued(id, kind)) requeued++;
      }
    }

    const stale = await store.findStaleRunning(
      new Date(now.getTime() - this.deps.staleAfterMs),
    );
    for (const job of stale) {
      const kind = job.kind ?? 'runbook';
      // A project install holds no process, only its place in the steps
      // (in the database): another worker always resumes it.
      const retry =
        kind === 'project'
          ? job.attempt < (this.deps.maxAttempts ?? 3) * 3
          : (await store.getRunbook(job.runbookName))?.retryOnWorkerLost &&
            job.attempt < (this.deps.maxAttempts ?? 3);
      if (retry && job.worker && (await store.releaseJob(job.id, job.worker))) {
        // The lost worker's entry is usually still active in BullMQ: a
        // second entry lets a live worker take the job without waiting for
        // BullMQ's stalled-jobs check.
        if (!(await queue.ensureQueued(job.id, kind))) {
          await queue.requeueLost(job.id, kind, job.attempt);
        }
        retried++;
        logger.warn(`job ${job.id} lost worker ${job.worker}; retrying`);
        continue;
      }
      const ended = await store.finishJob(job.id, {
        status: 'ERROR',
        error: 'worker lost',
        workerId: job.worker,
      });
      if (ended) {
        lost++;
        logger.warn(`job ${job.id} lost worker ${job.worker}`);
        await this.deps.jobs.publishEnd(job.id, 'ERROR', 'worker lost');
      }
    }
    return { requeued, lost, retried };
  }
}
