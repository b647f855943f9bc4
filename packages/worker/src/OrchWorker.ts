import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { RunbookDescriptor } from '@internal/backstage-plugin-orch-common';
import {
  CancelSignals,
  type ConnectionVault,
  type DatabaseConnectionStore,
  DatabaseJobStore,
  JobEventStream,
  JobQueue,
  ORCH_JOBS_QUEUE,
  ORCH_PROJECTS_QUEUE,
  RunbookJobFactory,
  type RunbookCatalog,
  SecretBox,
  WorkerRegistry,
  createRedisConnection,
  readOrchPaths,
  readOrchRedisOptions,
  readWorkerHeartbeatTtlMs,
  type OrchPaths,
} from '@internal/backstage-plugin-orch-node';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { JobProcessor } from './jobs/JobProcessor';
import { ProjectProcessor } from './jobs/ProjectProcessor';
import { reapOrphans } from './runner/reapOrphans';

/** @public */
export type OrchWorkerOptions = {
  config: Config;
  logger: LoggerService;
  store: DatabaseJobStore;
  /** Decrypts the connections a job names (a `ConnectionVault`). */
  connections: ConnectionVault;
  /** The runbooks this worker can run, by name. */
  runbooks: (name: string) => RunbookDescriptor | undefined;
  secretBox: SecretBox;
  paths?: OrchPaths;
  /**
   * The runbook catalog and connection store the children of project
   * installs are validated against. Without them this worker takes no
   * project installs.
   */
  projects?: { catalog: RunbookCatalog; connectionStore: DatabaseConnectionStore };
};

/**
 * The worker process's core: a BullMQ worker on the Orch queue that runs
 * jobs through `JobProcessor`, a heartbeat in Redis that the backend's
 * health check reads, and cancel signals.
 * @public
 */
export class OrchWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly worker: Worker;
  private readonly projectWorker?: Worker;
  private readonly projectProcessor?: ProjectProcessor;
  private readonly queue?: JobQueue;
  private readonly projectConcurrency: number;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly registry: WorkerRegistry;
  private readonly processor: JobProcessor;
  private readonly cancels: CancelSignals;
  private readonly concurrency: number;
  private readonly heartbeatMs: number;
  private readonly graceMs: number;
  private readonly startedAt = new Date().toISOString();
  private readonly paths: OrchPaths;
  private heartbeat?: NodeJS.Timeout;
  private closing?: Promise<void>;

  constructor(private readonly options: OrchWorkerOptions) {
    const { config, logger } = options;
    const redisOptions = readOrchRedisOptions(config);
    this.concurrency = config.getOptionalNumber('orch.worker.concurrency') ?? 2;
    this.projectConcurrency =
      config.getOptionalNumber('orch.worker.projectConcurrency') ?? 10;
    // Beat three times per TTL so one late beat never marks a live worker dead.
    this.heartbeatMs = Math.max(500, readWorkerHeartbeatTtlMs(config) / 3);
    this.graceMs =
      (config.getOptionalNumber('orch.worker.shutdownGraceSeconds') ?? 20) * 1000;

    this.redis = createRedisConnection(redisOptions.url, 'command');
    this.subscriber = createRedisConnection(redisOptions.url, 'blocking');
    this.registry = new WorkerRegistry(this.redis, redisOptions.prefix);
    this.cancels = new CancelSignals(redisOptions.prefix);
    this.paths = options.paths ?? readOrchPaths(config);
    this.processor = new JobProcessor({
      workerId: this.id,
      store: options.store,
      stream: new JobEventStream({ redis: this.redis, prefix: redisOptions.prefix }),
      secretBox: options.secretBox,
      logger,
      runbook: options.runbooks,
      connections: (ids, types) => options.connections.resolve(ids, types),
      paths: this.paths,
      heartbeatMs: this.heartbeatMs,
    });
    this.worker = new Worker(
      ORCH_JOBS_QUEUE,
      async job => this.processor.process(job.data.jobId),
      {
        connection: createRedisConnection(redisOptions.url, 'blocking'),
        prefix: redisOptions.prefix,
        concurrency: this.concurrency,
        autorun: false,
        // A job's owner is decided by its database heartbeat; BullMQ's stall
        // detection only has to hand a dead worker's entry to someone who
        // will find the job not PENDING and move on.
        maxStalledCount: 1,
      },
    );
    // BullMQ emits connection problems here; without a listener they would
    // be unhandled and end the process.
    this.worker.on('error', error =>
      logger.warn(`queue connection problem: ${error.message}`),
    );
    this.worker.on('failed', (job, error) =>
      logger.error(`job ${job?.id} failed in the worker: ${error.message}`),
    );

    if (options.projects) {
      this.queue = new JobQueue({
        connection: createRedisConnection(redisOptions.url, 'blocking'),
        prefix: redisOptions.prefix,
      });
      this.projectProcessor = new ProjectProcessor({
        workerId: this.id,
        store: options.store,
        stream: new JobEventStream({ redis: this.redis, prefix: redisOptions.prefix }),
        factory: new RunbookJobFactory({
          store: options.store,
          connections: options.projects.connectionStore,
          catalog: options.projects.catalog,
          queue: this.queue,
          secretBox: options.secretBox,
          logger,
        }),
        secretBox: options.secretBox,
        cancels: this.cancels,
        redis: this.redis,
        blockingConnection: () => createRedisConnection(redisOptions.url, 'blocking'),
        logger,
        artifactsDir: this.paths.artifactsDir,
        heartbeatMs: this.heartbeatMs,
      });
      // Installs wait on their children: they take slots of their own
      // queue, never one of the `concurrency` slots a child needs.
      this.projectWorker = new Worker(
        ORCH_PROJECTS_QUEUE,
        async job => this.projectProcessor!.process(job.data.jobId),
        {
          connection: createRedisConnection(redisOptions.url, 'blocking'),
          prefix: redisOptions.prefix,
          concurrency: this.projectConcurrency,
          autorun: false,
          maxStalledCount: 1,
        },
      );
      this.projectWorker.on('error', error =>
        logger.warn(`project queue connection problem: ${error.message}`),
      );
      this.projectWorker.on('failed', (job, error) =>
        logger.error(`project job ${job?.id} failed in the worker: ${error.message}`),
      );
    }
  }

  /** Starts taking jobs and announcing this worker. Resolves once Redis answered. */
  async start(): Promise<void> {
    // A worker that died hard may have left a playbook running and a data
    // dir with secrets behind: end and delete them before taking jobs.
    const reaped = await reapOrphans(this.paths.dataDir);
    if (reaped.dirs.length) {
      this.options.logger.warn(
        `reaped ${reaped.dirs.length} orphaned job dir(s), ending ${reaped.killed} process(es)`,
      );
    }
    await this.worker.waitUntilReady();
    await this.projectWorker?.waitUntilReady();
    await this.cancels.subscribe(this.subscriber, jobId => {
      this.processor.abort(jobId, 'cancel');
      this.projectProcessor?.abort(jobId, 'cancel');
    });
    await this.beat();
    this.heartbeat = setInterval(() => {
      this.beat().catch(e =>
        this.options.logger.warn(`heartbeat failed: ${e.message}`),
      );
    }, this.heartbeatMs);
    this.worker.run().catch(e =>
      this.options.logger.error(`worker stopped: ${e.message}`),
    );
    this.projectWorker?.run().catch(e =>
      this.options.logger.error(`project worker stopped: ${e.message}`),
    );
    this.options.logger.info(
      `worker ${this.id} taking jobs from '${ORCH_JOBS_QUEUE}' (concurrency ${this.concurrency})${
        this.projectWorker
          ? ` and installs from '${ORCH_PROJECTS_QUEUE}' (concurrency ${this.projectConcurrency})`
          : ''
      }`,
    );
  }

  /**
   * Stops taking new jobs and lets running ones finish for the grace period;
   * jobs still running then are stopped and handed back (PENDING) for
   * another worker. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Installs only wait: hand them back at once, another worker resumes
      // them where they are.
      for (const jobId of this.projectProcessor?.runningJobIds ?? []) {
        this.projectProcessor!.abort(jobId, 'shutdown');
      }
      await this.projectWorker?.close();
      await this.queue?.close().catch(() => {});
      const grace = setTimeout(() => {
        for (const jobId of this.processor.runningJobIds) {
          this.options.logger.info(`handing job ${jobId} back to the queue`);
          this.processor.abort(jobId, 'shutdown');
        }
      }, this.graceMs);
      await this.worker.close();
      clearTimeout(grace);
      clearInterval(this.heartbeat);
      await this.registry.remove(this.id).catch(() => {});
      this.subscriber.disconnect();
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
