import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  isFinalJobStatus,
  type Job,
  type JobStatus,
  type Runbook,
} from '@internal/backstage-plugin-orch-common';
import {
  isSecretMask,
  type CancelSignals,
  type RunbookJobFactory,
  type DatabaseConnectionStore,
  type DatabaseJobStore,
  type JobEventStream,
  type JobQueue,
  type RunbookCatalog,
  type SecretBox,
} from '@internal/backstage-plugin-orch-node';
import type { Redis } from 'ioredis';
import { InputValidationError } from './errors';
import type { RunbookAccess } from './auth/RunbookAccess';

export { SECRET_MASK } from '@internal/backstage-plugin-orch-node';

export type ExecuteRequest = {
  inputs?: unknown;
  environment?: unknown;
  connections?: unknown;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Rejects anything that is not a job id before it reaches a query or a path. */
export function assertJobId(id: string): void {
  if (!UUID.test(id)) throw new InputError(`Not a job id: ${JSON.stringify(id).slice(0, 80)}`);
}

export function principalOf(credentials: BackstageCredentials): string {
  const p = credentials.principal as { type: string; userEntityRef?: string; subject?: string };
  if (p.type === 'user' && p.userEntityRef) return p.userEntityRef;
  if (p.type === 'service' && p.subject) return `service:${p.subject}`;
  return 'unknown';
}

/**
 * The rules of jobs: which runbook may run, with which inputs, and what a
 * job's life allows (cancel, relaunch). An HTTP request only ever creates a
 * job row and a queue entry: workers run playbooks.
 */
export class JobService {
  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      connections: DatabaseConnectionStore;
      catalog: RunbookCatalog;
      queue: JobQueue;
      stream: JobEventStream;
      cancels: CancelSignals;
      redis: Redis;
      secretBox: SecretBox;
      logger: LoggerService;
      /** The runbooks' own `access` rules; without it none are enforced. */
      access?: RunbookAccess;
      /** Creates runbook jobs (validation, secrets, enqueue). */
      factory: RunbookJobFactory;
    },
  ) {}

  async listRunbooks(filter: { category?: string; environment?: string }): Promise<Runbook[]> {
    const all = await this.deps.store.listRunbooks();
    return all.filter(
      r =>
        (!filter.category || r.category === filter.category) &&
        (!filter.environment || r.environments.includes(filter.environment)),
    );
  }

  async getRunbook(name: string): Promise<Runbook> {
    const runbook = await this.deps.store.getRunbook(name);
    if (!runbook) throw new NotFoundError(`No runbook named ${name}`);
    return runbook;
  }

  async setRunbookEnabled(name: string, enabled: boolean): Promise<Runbook> {
    if (!(await this.deps.store.setRunbookEnabled(name, enabled))) {
      throw new NotFoundError(`No runbook named ${name}`);
    }
    return this.getRunbook(name);
  }

  async execute(
    name: string,
    request: ExecuteRequest,
    credentials: BackstageCredentials,
    options: { parentJobId?: string } = {},
  ): Promise<Job> {
    return this.deps.factory.create(name, request, {
      createdBy: principalOf(credentials),
      parentJobId: options.parentJobId,
      authorize: (runbook, environment) =>
        this.deps.access?.check(runbook, environment, credentials) ??
        Promise.resolve(),
    });
  }

  /**
   * Everything `execute` checks, without writing or enqueueing anything:
   * what the job would store (secrets masked).
   */
  async dryRun(
    name: string,
    request: ExecuteRequest,
    credentials: BackstageCredentials,
  ) {
    const v = await this.deps.factory.validate(name, request, (runbook, environment) =>
      this.deps.access?.check(runbook, environment, credentials) ??
      Promise.resolve(),
    );
    return {
      dryRun: true as const,
      runbook: v.runbook.name,
      version: v.runbook.version,
      environment: v.environment,
      connections: v.connections,
      inputs: v.stored,
    };
  }

  async getJob(id: string): Promise<Job> {
    assertJobId(id);
    const job = await this.deps.store.getJob(id);
    if (!job) throw new NotFoundError(`No job ${id}`);
    return job;
  }

  async cancel(id: string): Promise<Job> {
    assertJobId(id);
    const result = await this.deps.store.requestCancel(id, new Date());
    if (!result) throw new NotFoundError(`No job ${id}`);
    const { job, immediate } = result;
    if (job.kind === 'project') await this.cancelChildren(id);
    if (immediate) {
      await this.deps.queue.remove(id).catch(() => {});
      await this.publishEnd(id, 'CANCELED');
      return job;
    }
    if (isFinalJobStatus(job.status)) {
      throw new ConflictError(`Job ${id} already ended ${job.status}`);
    }
    await this.deps.cancels.publish(this.deps.redis, id).catch(e =>
      // The worker also reads the database flag with each heartbeat.
      this.deps.logger.warn(`cancel signal for ${id} not sent: ${e.message}`),
    );
    return job;
  }

  /**
   * Cancels the unfinished children of a project install. Its worker does
   * the same when it sees the cancel; doing it here too stops the running
   * step even when that worker is gone.
   */
  private async cancelChildren(parentId: string) {
    for (const child of await this.deps.store.listChildren(parentId)) {
      if (isFinalJobStatus(child.status)) continue;
      const r = await this.deps.store.requestCancel(child.id, new Date());
      if (r?.immediate) {
        await this.deps.queue.remove(child.id).catch(() => {});
        await this.publishEnd(child.id, 'CANCELED');
      } else {
        await this.deps.cancels.publish(this.deps.redis, child.id).catch(() => {});
      }
    }
  }

  /**
   * A new job with the same runbook, environment, connections and inputs.
   * Secret inputs are not kept once a job ends, so they must be given again.
   */
  async relaunch(
    id: string,
    body: { secrets?: unknown },
    credentials: BackstageCredentials,
  ): Promise<Job> {
    const original = await this.getJob(id);
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(original.inputs)) {
      if (!isSecretMask(v)) inputs[k] = v;
    }
    const secrets = body.secrets ?? {};
    if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
      throw new InputValidationError('Invalid request', [
        { field: 'secrets', message: 'must be an object' },
      ]);
    }
    return this.execute(
      original.runbookName,
      {
        inputs: { ...inputs, ...secrets },
        environment: original.environment,
        connections: original.connections,
      },
      credentials,
      { parentJobId: original.parentJobId },
    );
  }

  async publishEnd(jobId: string, status: JobStatus, error?: string) {
    try {
      await this.deps.stream.publish(jobId, { kind: 'status', status, ...(error ? { error } : {}) });
      await this.deps.stream.publish(jobId, { kind: 'end', status });
    } catch (e) {
      // Live readers also poll the database while idle.
      this.deps.logger.warn(`live stream of ${jobId} not updated: ${(e as Error).message}`);
    }
  }
}
