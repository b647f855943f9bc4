import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  ORCH_JOBS_QUEUE,
  WorkerRegistry,
  createRedisConnection,
  readOrchRedisOptions,
  readWorkerHeartbeatTtlMs,
} from '@internal/backstage-plugin-orch-node';
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'crypto';
import { hostname } from 'os';

/**
 * Runs one queued job. The jobs engine supplies the real one (ansible-runner);
 * until then a job fails without retry so it is never silently lost.
 * @public
 */
export type JobProcessor = (job: Job) => Promise<unknown>;

/** @public */
export type OrchWorkerOptions = {
  config: Config;
  logger: LoggerService;
  processor?: JobProcessor;
};

/**
 * The worker process's core: a BullMQ worker on the Orch queue plus a
 * heartbeat in Redis that the backend's health check reads.
 * @public
 */
export class OrchWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly worker: Worker;
  private readonly redis: Redis;
  private readonly registry: WorkerRegistry;
  private readonly concurrency: number;
  private readonly heartbeatMs: number;
  private readonly startedAt = new Date().toISOString();
  private heartbeat?: NodeJS.Timeout;
  private closing?: Promise<void>;

  constructor(private readonly options: OrchWorkerOptions) {
    const { config, logger } = options;
    const redisOptions = readOrchRedisOptions(config);
    /**
     * Jobs one worker process runs at once.
     * @defaultValue 2
     */
    this.concurrency = config.getOptionalNumber('orch.worker.concurrency') ?? 2;
    // Beat three times per TTL so one late beat never marks a live worker dead.
    this.heartbeatMs = Math.max(1000, readWorkerHeartbeatTtlMs(config) / 3);

    this.redis = createRedisConnection(redisOptions.url, 'command');
    this.registry = new WorkerRegistry(this.redis, redisOptions.prefix);
    this.worker = new Worker(
      ORCH_JOBS_QUEUE,
      options.processor ??
        (async () => {
          throw new UnrecoverableError('no job runner is installed in this worker');
        }),
      {
        connection: createRedisConnection(redisOptions.url, 'blocking'),
        prefix: redisOptions.prefix,
        concurrency: this.concurrency,
        autorun: false,
      },
    );
    // BullMQ emits connection problems here; without a listener they would
    // be unhandled and end the process.
    this.worker.on('error', error =>
      logger.warn(`queue connection problem: ${error.message}`),
    );
  }

  /** Starts taking jobs and announcing this worker. Resolves once Redis answered. */
  async start(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.beat();
    this.heartbeat = setInterval(() => {
      this.beat().catch(e =>
        this.options.logger.warn(`heartbeat failed: ${e.message}`),
      );
    }, this.heartbeatMs);
    this.worker.run().catch(e =>
      this.options.logger.error(`worker stopped: ${e.message}`),
    );
    this.options.logger.info(
      `worker ${this.id} taking jobs from '${ORCH_JOBS_QUEUE}' (concurrency ${this.concurrency})`,
    );
  }

  /**
   * Stops taking new jobs, lets running ones finish, then leaves the
   * registry. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      await this.worker.close();
      await this.registry.remove(this.id).catch(() => {});
      this.redis.disconnect();
      this.options.logger.info(`worker ${this.id} stopped`);
    })();
    return this.closing;
  }

  private async beat() {
    await this.registry.beat({
      id: this.id,
      hostname: hostname(),
      pid: process.pid,
      concurrency: this.concurrency,
      startedAt: this.startedAt,
    });
  }
}
