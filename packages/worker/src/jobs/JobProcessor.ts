import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  Job,
  JobStatus,
  RunbookDescriptor,
} from '@internal/backstage-plugin-orch-common';
import {
  Redactor,
  type ResolvedConnection,
  type DatabaseJobStore,
  type JobEventStream,
  type SecretBox,
} from '@internal/backstage-plugin-orch-node';
import {
  executeRunbook,
  type ExecuteResult,
  type RunnerEvent,
} from '../runner/executeRunbook';
import { EventBatcher } from './EventBatcher';
import { StepFolder } from './StepFolder';
import { toJobEvent } from './toJobEvent';

/** @public */
export type JobProcessorOptions = {
  workerId: string;
  store: DatabaseJobStore;
  stream: JobEventStream;
  secretBox: SecretBox;
  logger: LoggerService;
  /**
   * Decrypts the connections a job names, refusing types its runbook does
   * not declare (`ConnectionVault.resolve`).
   */
  connections: (ids: string[], types: string[]) => Promise<ResolvedConnection[]>;
  /** Looks a runbook up by name (the worker's own copy of the catalog). */
  runbook: (name: string) => RunbookDescriptor | undefined;
  paths: {
    /** The runbooks root (playbooks/, inventory/, roles/). */
    runbooksDir: string;
    /** Where `swarm_deploy` may read stack files from. */
    stacksDir: string;
    artifactsDir: string;
    dataDir: string;
  };
  heartbeatMs: number;
  /**
   * Events per database batch; a batch is also written when this much time
   * passed since the first buffered event.
   * @defaultValue 1000
   */
  batchSize?: number;
  /** @defaultValue 100 */
  flushIntervalMs?: number;
};

const FINAL_STATUS: Record<ExecuteResult['status'], JobStatus> = {
  successful: 'SUCCESS',
  failed: 'ERROR',
  canceled: 'CANCELED',
  timeout: 'ERROR',
  error: 'ERROR',
};

/**
 * Runs one Orch job end to end inside a worker: claim it in the database,
 * keep its heartbeat, run the playbook, store and publish its events in
 * batches, fold them into steps, and record the final status.
 */
export class JobProcessor {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: JobProcessorOptions) {}

  /** Jobs this worker runs right now. */
  get runningJobIds(): string[] {
    return [...this.running.keys()];
  }

  /** Aborts a running job (cancel request, or shutdown). */
  abort(jobId: string, reason: 'cancel' | 'shutdown'): void {
    this.running.get(jobId)?.abort(reason);
  }

  /**
   * Runs the job if it is still PENDING. Returns the final status, or
   * undefined when there was nothing to run (already taken, or canceled).
   */
  async process(jobId: string): Promise<JobStatus | undefined> {
    const { store, workerId, logger } = this.options;
    const job = await store.claimJob(jobId, workerId);
    if (!job) {
      logger.debug(`job ${jobId} is not pending; nothing to do`);
      return undefined;
    }
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      return await this.run(job, controller);
    } finally {
      this.running.delete(jobId);
    }
  }

  private async run(job: Job, controller: AbortController): Promise<JobStatus> {
    const { store, stream, logger, paths } = this.options;
    const runbook = this.options.runbook(job.runbookName);
    await stream.publish(job.id, { kind: 'status', status: 'RUNNING' });
    if (!runbook) {
      return this.finish(job, 'ERROR', {
        error: `runbook ${job.runbookName} is not installed on this worker`,
      });
    }

    let secrets: Record<string, string> = {};
    const sealed = await store.getJobSecrets(job.id);
    if (sealed) {
      try {
        secrets = this.options.secretBox.open<Record<string, string>>(sealed);
      } catch (e) {
        return this.finish(job, 'ERROR', { error: (e as Error).message });
      }
    }
    let connections: ResolvedConnection[] = [];
    if (job.connections.length) {
      try {
        connections = await this.options.connections(job.connections, runbook.connections);
      } catch (e) {
        return this.finish(job, 'ERROR', {
          error: `connections unavailable: ${(e as Error).message}`,
        });
      }
    }
    const { vars: connectionVars, files } = connectionExtravars(connections);
    const redactor = new Redactor([
      ...Object.values(secrets),
      ...connections.flatMap(c => Object.values(c.secrets)),
    ]);
    // A retried attempt continues the numbering, so nothing collides.
    const seqBase = job.attempt > 1 ? await store.maxEventSeq(job.id) : 0;
    const folder = new StepFolder(
      job.attempt > 1 ? (await store.listSteps(job.id)).length : 0,
    );
    const batcher = new EventBatcher({
      jobId: job.id,
      store,
      stream,
      folder,
      batchSize: this.options.batchSize,
      flushIntervalMs: this.options.flushIntervalMs,
    });

    const heartbeat = setInterval(() => {
      this.beat(job.id, controller).catch(e =>
        logger.warn(`heartbeat of job ${job.id} failed: ${e.message}`),
      );
    }, this.options.heartbeatMs);

    let result: ExecuteResult;
    try {
      result = await executeRunbook({
        jobId: job.id,
        projectDir: paths.runbooksDir,
        playbook: runbook.playbook,
        extravars: {
          ...job.inputs,
          orch_job_id: job.id,
          orch_environment: job.environment,
          orch_stacks_dir: paths.stacksDir,
          orch_connections: connectionVars,
        },
        secrets,
        files,
        timeoutMs: runbook.timeoutSeconds * 1000,
        signal: controller.signal,
        dataRoot: paths.dataDir,
        artifactsRoot: paths.artifactsDir,
        redact: value => redactor.value(value),
        onEvent: (event: RunnerEvent) =>
          batcher.add(toJobEvent(job.id, event, seqBase)),
      });
    } catch (e) {
      result = {
        status: 'error',
        rc: null,
        outputs: {},
        eventCount: 0,
        error: redactor.text((e as Error).message),
      };
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await batcher.close(new Date().toISOString());
    } catch (e) {
      // The playbook ran, but its record is incomplete: say so.
      result = {
        ...result,
        status: 'error',
        error: `events could not be stored: ${redactor.text((e as Error).message)}`,
      };
    }

    if (result.status === 'canceled' && controller.signal.reason === 'shutdown') {
      // Handed back, not canceled: another worker (or this one after a
      // restart) runs it again.
      await store.releaseJob(job.id, this.options.workerId);
      await stream.publish(job.id, { kind: 'status', status: 'PENDING' });
      return 'PENDING';
    }
    return this.finish(job, FINAL_STATUS[result.status], {
      rc: result.rc ?? undefined,
      outputs: result.outputs,
      error: describeFailure(result, runbook),
    });
  }

  private async beat(jobId: string, controller: AbortController) {
    const mine = await this.options.store.heartbeat(
      jobId,
      this.options.workerId,
      new Date(),
    );
    if (!mine) {
      // The reconciler gave the job up (lost worker) or it ended elsewhere.
      controller.abort('cancel');
      return;
    }
    const job = await this.options.store.getJob(jobId);
    if (job?.cancelRequested) controller.abort('cancel');
  }

  private async finish(
    job: Job,
    status: JobStatus,
    details: { rc?: number; outputs?: Record<string, unknown>; error?: string },
  ): Promise<JobStatus> {
    const { store, stream } = this.options;
    await store.finishJob(job.id, {
      status: status as 'SUCCESS' | 'ERROR' | 'CANCELED',
      rc: details.rc,
      outputs: details.outputs,
      error: details.error,
      workerId: this.options.workerId,
    });
    await stream.publish(job.id, {
      kind: 'status',
      status,
      ...(details.error ? { error: details.error } : {}),
    });
    await stream.publish(job.id, { kind: 'end', status });
    this.options.logger.info(`job ${job.id} (${job.runbookName}) ended ${status}`);
    return status;
  }
}

/**
 * What a playbook sees of its connections: `orch_connections.<type>` holds
 * the first connection of each type the job names (config and secrets;
 * every string is `!unsafe`), and `orch_connections_by_name.<name>` every
 * one. A private key is also written as a 0600 file under
 * `orch_files_dir`, its name in `private_key_file`.
 */
function connectionExtravars(connections: ResolvedConnection[]) {
  const byType: Record<string, Record<string, unknown>> = {};
  const byName: Record<string, Record<string, unknown>> = {};
  const files: Array<{ name: string; content: string }> = [];
  for (const c of connections) {
    const entry: Record<string, unknown> = {
      id: c.id,
      name: c.name,
      type: c.type,
      ...c.config,
      ...c.secrets,
    };
    if (c.secrets.private_key) {
      const name = `${c.id}.key`;
      const key = c.secrets.private_key;
      files.push({ name, content: key.endsWith('\n') ? key : `${key}\n` });
      entry.private_key_file = name;
    }
    byType[c.type] ??= entry;
    byName[c.name] = entry;
  }
  return {
    vars: { ...byType, by_name: byName },
    files,
  };
}

function describeFailure(
  result: ExecuteResult,
  runbook: RunbookDescriptor,
): string | undefined {
  switch (result.status) {
    case 'failed':
      if (!result.failedTask) return 'the playbook failed';
      return result.failedMessage
        ? `task "${result.failedTask}" failed: ${result.failedMessage}`
        : `task "${result.failedTask}" failed`;
    case 'timeout':
      return `timed out after ${runbook.timeoutSeconds}s`;
    case 'canceled':
      return 'canceled';
    case 'error':
      return result.error ?? 'ansible-runner failed';
    default:
      return undefined;
  }
}
