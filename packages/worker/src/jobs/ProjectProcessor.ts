import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  evaluateCondition,
  isFinalJobStatus,
  renderTemplateValue,
  type Job,
  type JobEvent,
  type JobStatus,
  type JobStep,
  type OrchProjectManifest,
  type OrchProjectStep,
  type ProjectInstallReport,
  type ProjectStepReport,
  type ProjectStepStatus,
  type TemplateContext,
} from '@internal/backstage-plugin-orch-common';
import {
  Redactor,
  type CancelSignals,
  type DatabaseJobStore,
  type JobEventStream,
  type RunbookJobFactory,
  type SecretBox,
} from '@internal/backstage-plugin-orch-node';
import type { Redis } from 'ioredis';
import { mkdir, writeFile } from 'fs/promises';
import { join } from 'path';

/** @public */
export type ProjectProcessorOptions = {
  workerId: string;
  store: DatabaseJobStore;
  stream: JobEventStream;
  /** Creates the child jobs, through the same checks as the HTTP API. */
  factory: RunbookJobFactory;
  secretBox: SecretBox;
  cancels: CancelSignals;
  /** A command connection (cancel signals). */
  redis: Redis;
  /**
   * Opens a connection for blocking reads (no command timeout): each
   * awaited child gets its own, closed once the child ended.
   */
  blockingConnection: () => Redis;
  logger: LoggerService;
  artifactsDir: string;
  heartbeatMs: number;
  /**
   * How long one blocking read of a child's live stream lasts before the
   * database is asked again (a stream lost with Redis must not hang the
   * install).
   * @defaultValue 5000
   */
  blockMs?: number;
};

type StepPhase = 'main' | 'rollback';

const STEP_STATUS: Record<ProjectStepStatus, JobStep['status']> = {
  PENDING: 'running',
  RUNNING: 'running',
  SUCCESS: 'ok',
  ERROR: 'failed',
  CANCELED: 'canceled',
  SKIPPED: 'skipped',
};

/** Why an install stopped waiting. */
class Interrupted extends Error {
  constructor(readonly reason: 'shutdown') {
    super(reason);
  }
}

class Install {
  private seq = 0;
  private redactor = new Redactor([]);
  private readonly report: ProjectStepReport[] = [];
  private readonly ctx: TemplateContext;
  private existing = new Map<number, JobStep>();
  private children: Job[] = [];

  constructor(
    private readonly o: ProjectProcessorOptions,
    private readonly job: Job,
    private readonly controller: AbortController,
  ) {
    this.ctx = { inputs: {}, steps: {}, env: { name: job.environment } };
  }

  private get canceled() {
    return this.controller.signal.reason === 'cancel';
  }

  async run(): Promise<JobStatus> {
    const { store, stream, logger } = this.o;
    const job = this.job;
    await stream.publish(job.id, { kind: 'status', status: 'RUNNING' });
    const heartbeat = setInterval(() => {
      this.beat().catch(e =>
        logger.warn(`heartbeat of project job ${job.id} failed: ${e.message}`),
      );
    }, this.o.heartbeatMs);
    try {
      const manifest = (await store.getProjectManifest(job.id)) as
        | OrchProjectManifest
        | undefined;
      if (!manifest) {
        return await this.finish('ERROR', {}, false, 'the install has no manifest');
      }
      let secrets: Record<string, string> = {};
      const sealed = await store.getJobSecrets(job.id);
      if (sealed) secrets = this.o.secretBox.open<Record<string, string>>(sealed);
      this.redactor = new Redactor(Object.values(secrets));
      this.ctx.inputs = { ...job.inputs, ...secrets };
      this.seq = await store.maxEventSeq(job.id);
      for (const step of await store.listSteps(job.id)) {
        this.existing.set(step.index, step);
      }
      this.children = await store.listChildren(job.id);
      if (job.attempt > 1) {
        await this.log(`resuming the install (attempt ${job.attempt})`);
      } else {
        await this.log(
          `installing ${manifest.metadata.name} in ${job.environment}: ${manifest.spec.steps.length} step(s)`,
        );
      }

      const outcome = await this.runSteps(manifest.spec.steps, 'main', 0);
      let rolledBack = false;
      if (outcome.status === 'ERROR' && outcome.rollback && manifest.spec.rollback.length) {
        await this.log(`running ${manifest.spec.rollback.length} rollback step(s)`, 'warning');
        await this.runSteps(manifest.spec.rollback, 'rollback', manifest.spec.steps.length);
        rolledBack = true;
      }
      const outputs =
        outcome.status === 'SUCCESS' ? this.renderOutputs(manifest) : {};
      return await this.finish(outcome.status, outputs, rolledBack, outcome.error);
    } catch (e) {
      if (e instanceof Interrupted) {
        // Handed back: another worker (or this one restarted) resumes it.
        await store.releaseJob(job.id, this.o.workerId);
        await stream.publish(job.id, { kind: 'status', status: 'PENDING' });
        logger.info(`project job ${job.id} handed back to the queue`);
        return 'PENDING';
      }
      return this.finish('ERROR', {}, false, this.redactor.text((e as Error).message));
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Runs steps in order. Main steps honour `onFailure`; rollback steps all
   * run, whatever the previous one did.
   */
  private async runSteps(
    steps: OrchProjectStep[],
    phase: StepPhase,
    offset: number,
  ): Promise<{ status: JobStatus; rollback?: boolean; error?: string }> {
    let failure: { status: JobStatus; rollback?: boolean; error?: string } | undefined;
    for (const [i, step] of steps.entries()) {
      if (this.canceled) return { status: 'CANCELED', error: 'canceled' };
      const index = offset + i;
      const result = await this.runStep(step, index, phase);
      this.ctx.steps[step.id] = { status: result.status, outputs: result.outputs ?? {} };
      this.report.push(result);
      if (result.status === 'CANCELED') {
        return { status: 'CANCELED', error: result.error ?? 'canceled' };
      }
      if (result.status !== 'ERROR' || phase === 'rollback') continue;
      const error = `step ${step.id} failed${result.error ? `: ${result.error}` : ''}`;
      if (step.onFailure === 'continue') {
        await this.log(`${error}; continuing (onFailure: continue)`, 'warning');
        continue;
      }
      failure = { status: 'ERROR', rollback: step.onFailure === 'rollback', error };
      break;
    }
    return failure ?? { status: 'SUCCESS' };
  }

  private async runStep(
    step: OrchProjectStep,
    index: number,
    phase: StepPhase,
  ): Promise<ProjectStepReport> {
    const base: ProjectStepReport = {
      id: step.id,
      ...(step.name ? { name: step.name } : {}),
      runbook: step.runbook,
      status: 'PENDING',
      ...(phase === 'rollback' ? { rollback: true } : {}),
    };
    const previous = this.existing.get(index + 1);
    let child = this.findChild(index, previous);

    if (!child && previous?.status === 'skipped') {
      return { ...base, status: 'SKIPPED' };
    }
    if (!child) {
      let when = true;
      try {
        when = step.when === undefined ? true : evaluateCondition(step.when, this.ctx);
      } catch (e) {
        return this.failBeforeStart(base, index, phase, `when: ${(e as Error).message}`);
      }
      if (!when) {
        await this.saveStep(index, phase, step, 'SKIPPED');
        await this.log(`step ${step.id}: skipped (when: ${step.when})`);
        return { ...base, status: 'SKIPPED' };
      }
      await this.saveStep(index, phase, step, 'RUNNING');
      try {
        child = await this.createChild(step, index);
      } catch (e) {
        return this.failBeforeStart(base, index, phase, (e as Error).message);
      }
      await this.saveStep(index, phase, step, 'RUNNING', child.id);
      await this.log(`step ${step.id}: started job ${child.id} (${step.runbook})`);
    } else if (!isFinalJobStatus(child.status)) {
      await this.log(`step ${step.id}: waiting again for job ${child.id}`);
    }

    const ended = await this.awaitEnd(child.id);
    const status = ended.status as ProjectStepStatus;
    await this.saveStep(index, phase, step, status, child.id, ended.finishedAt);
    await this.log(
      `step ${step.id}: job ${child.id} ended ${ended.status}${ended.error ? ` (${ended.error})` : ''}`,
      ended.status === 'SUCCESS' ? 'info' : 'error',
    );
    return {
      ...base,
      status,
      jobId: child.id,
      outputs: ended.outputs ?? {},
      ...(ended.error ? { error: ended.error } : {}),
      artifacts: ['output.json', 'logs.ndjson', 'artifacts.tar.gz'].map(
        name => `/api/orch/v1/jobs/${child!.id}/artifacts/${name}`,
      ),
    };
  }

  /** The child of this step made by an earlier attempt, if any. */
  private findChild(index: number, previous?: JobStep): Job | undefined {
    return this.children.find(
      c => c.id === previous?.childJobId || c.stepIndex === index,
    );
  }

  private async failBeforeStart(
    base: ProjectStepReport,
    index: number,
    phase: StepPhase,
    message: string,
  ): Promise<ProjectStepReport> {
    const error = this.redactor.text(message);
    await this.saveStep(index, phase, base as unknown as OrchProjectStep, 'ERROR');
    await this.log(`step ${base.id}: ${error}`, 'error');
    return { ...base, status: 'ERROR', error };
  }

  private async createChild(step: OrchProjectStep, index: number): Promise<Job> {
    const inputs = renderTemplateValue(step.inputs ?? {}, this.ctx);
    const environment = step.environment
      ? String(renderTemplateValue(step.environment, this.ctx))
      : this.job.environment;
    const connections = (step.connections ?? []).map(c =>
      String(renderTemplateValue(c, this.ctx)),
    );
    const request = { inputs, environment, connections };
    // A project secret may only reach a child input the runbook itself
    // marks secret (sealed, never stored). Check what would be stored
    // before anything is written.
    const planned = await this.o.factory.validate(step.runbook, request);
    if (this.redactor.active) {
      const stored = JSON.stringify(planned.stored);
      if (this.redactor.text(stored) !== stored) {
        throw new Error(
          `a secret input would be stored in plain text by runbook ${step.runbook}; pass secrets only into inputs the runbook marks secret`,
        );
      }
    }
    const child = await this.o.factory.create(step.runbook, request, {
      createdBy: this.job.createdBy,
      parentJobId: this.job.id,
      stepIndex: index,
      project: this.job.project,
    });
    this.children.push(child);
    return child;
  }

  /**
   * Waits for a child's end: blocking reads of its live stream (no polling
   * sleep), the database asked again after each quiet period. A cancel of
   * the install is passed on to the child, then its end is awaited; a
   * shutdown stops waiting at once.
   */
  private async awaitEnd(childId: string): Promise<Job> {
    const { store, stream } = this.o;
    const reader = this.o.blockingConnection();
    const signal = this.controller.signal;
    let forwarded = false;
    const onAbort = () => {
      if (signal.reason === 'shutdown') reader.disconnect();
    };
    signal.addEventListener('abort', onAbort);
    const inner = new AbortController();
    let cursor = '0-0';
    try {
      for (;;) {
        if (signal.aborted && signal.reason === 'shutdown') throw new Interrupted('shutdown');
        if (this.canceled && !forwarded) {
          forwarded = true;
          await this.cancelChild(childId);
        }
        const child = await store.getJob(childId);
        if (!child) throw new Error(`child job ${childId} disappeared`);
        if (isFinalJobStatus(child.status)) return child;
        try {
          for await (const item of stream.follow(childId, cursor, {
            reader,
            signal: inner.signal,
            blockMs: this.o.blockMs ?? 5000,
          })) {
            if ('idle' in item) break;
            cursor = item.id;
            if (item.message.kind === 'end') break;
            if (this.canceled && !forwarded) break;
          }
        } catch (e) {
          if (signal.aborted && signal.reason === 'shutdown') throw new Interrupted('shutdown');
          throw e;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      inner.abort();
      reader.disconnect();
    }
  }

  private async cancelChild(childId: string) {
    const { store, cancels, stream } = this.o;
    await this.log(`canceling job ${childId}`, 'warning');
    const r = await store.requestCancel(childId, new Date());
    if (r?.immediate) {
      await stream.publish(childId, { kind: 'status', status: 'CANCELED' });
      await stream.publish(childId, { kind: 'end', status: 'CANCELED' });
    } else {
      await cancels.publish(this.o.redis, childId).catch(() => {});
    }
  }

  private async saveStep(
    index: number,
    phase: StepPhase,
    step: Pick<OrchProjectStep, 'id' | 'name'>,
    status: ProjectStepStatus,
    childJobId?: string,
    finishedAt?: string,
  ) {
    const now = new Date().toISOString();
    const previous = this.existing.get(index + 1);
    const row: JobStep = {
      index: index + 1,
      play: phase === 'rollback' ? 'rollback' : 'install',
      task: step.name ?? step.id,
      status: STEP_STATUS[status],
      hosts: {},
      startedAt: previous?.startedAt ?? now,
      firstSeq: previous?.firstSeq ?? this.seq + 1,
      ...(childJobId ? { childJobId } : {}),
    };
    if (status !== 'RUNNING' && status !== 'PENDING') {
      row.finishedAt = finishedAt ?? now;
    }
    await this.o.store.upsertSteps(this.job.id, [row]);
    this.existing.set(index + 1, row);
  }

  private renderOutputs(manifest: OrchProjectManifest): Record<string, unknown> {
    const outputs: Record<string, unknown> = {};
    for (const [key, template] of Object.entries(manifest.spec.outputs ?? {})) {
      outputs[key] = renderTemplateValue(template, this.ctx);
    }
    // An output is never a secret (the manifest checks say so too).
    return this.redactor.value(outputs);
  }

  /** One line of the install's own log, stored, then published live. */
  private async log(stdout: string, level: JobEvent['level'] = 'info') {
    const event: JobEvent = {
      jobId: this.job.id,
      seq: ++this.seq,
      ts: new Date().toISOString(),
      level,
      type: 'orch_project',
      stdout: this.redactor.text(stdout),
    };
    await this.o.store.insertEvents([event]);
    await this.o.stream.publishEvents(this.job.id, [event]);
  }

  private async beat() {
    const { store, workerId } = this.o;
    if (!(await store.heartbeat(this.job.id, workerId, new Date()))) {
      this.controller.abort('shutdown');
      return;
    }
    const job = await store.getJob(this.job.id);
    if (job?.cancelRequested && !this.controller.signal.aborted) {
      this.controller.abort('cancel');
    }
  }

  private async finish(
    status: JobStatus,
    outputs: Record<string, unknown>,
    rolledBack: boolean,
    error?: string,
  ): Promise<JobStatus> {
    const { store, stream, logger } = this.o;
    const report: ProjectInstallReport = {
      project: this.job.project?.name ?? this.job.runbookName,
      environment: this.job.environment,
      status,
      outputs,
      steps: this.report,
      rolledBack,
    };
    await this.log(
      `install ${status}${error ? `: ${error}` : ''}`,
      status === 'SUCCESS' ? 'info' : 'error',
    );
    await this.writeArtifacts(report).catch(e =>
      logger.warn(`artifacts of project job ${this.job.id} not written: ${e.message}`),
    );
    await store.finishJob(this.job.id, {
      status: status as 'SUCCESS' | 'ERROR' | 'CANCELED',
      outputs: report as unknown as Record<string, unknown>,
      error,
      workerId: this.o.workerId,
    });
    await stream.publish(this.job.id, {
      kind: 'status',
      status,
      ...(error ? { error } : {}),
    });
    await stream.publish(this.job.id, { kind: 'end', status });
    logger.info(`project job ${this.job.id} ended ${status}`);
    return status;
  }

  /** `output.json` (the report) and `logs.ndjson` (the whole install log). */
  private async writeArtifacts(report: ProjectInstallReport) {
    const dir = join(this.o.artifactsDir, this.job.id);
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const all = await this.o.store.listEvents(this.job.id, { limit: 100000 });
    await writeFile(
      join(dir, 'logs.ndjson'),
      all.items.map(e => JSON.stringify(e)).join('\n') + (all.items.length ? '\n' : ''),
      { mode: 0o640 },
    );
    await writeFile(
      join(dir, 'output.json'),
      `${JSON.stringify(
        { jobId: this.job.id, status: report.status, outputs: report.outputs, report },
        null,
        2,
      )}\n`,
      { mode: 0o640 },
    );
  }
}

/**
 * Runs a project install (a parent job of kind `project`) inside a worker.
 *
 * It holds no playbook: each manifest step becomes a child runbook job,
 * created through {@link RunbookJobFactory} (schema validation, secrets
 * sealed, never stored) and enqueued on the runbook queue, and the parent
 * waits for the child's `end` on its live Redis stream. Parents are taken
 * from their own queue, so a waiting parent never holds the slot its child
 * needs.
 *
 * Everything it decides is written to the database first (the step row
 * names its child before the child runs), so a worker that takes over an
 * interrupted install resumes it: finished children are read, a running
 * child is awaited again, nothing runs twice.
 */
export class ProjectProcessor {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: ProjectProcessorOptions) {}

  get runningJobIds(): string[] {
    return [...this.running.keys()];
  }

  abort(jobId: string, reason: 'cancel' | 'shutdown'): void {
    this.running.get(jobId)?.abort(reason);
  }

  async process(jobId: string): Promise<JobStatus | undefined> {
    const { store, workerId, logger } = this.options;
    const job = await store.claimJob(jobId, workerId);
    if (!job) {
      logger.debug(`project job ${jobId} is not pending; nothing to do`);
      return undefined;
    }
    const controller = new AbortController();
    this.running.set(jobId, controller);
    try {
      return await new Install(this.options, job, controller).run();
    } finally {
      this.running.delete(jobId);
    }
  }
}
