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
  secretFields,
  type CancelSignals,
  type DatabaseConnectionStore,
  type DatabaseJobStore,
  type JobEventStream,
  type JobQueue,
  type RunbookCatalog,
  type SecretBox,
} from '@internal/backstage-plugin-orch-node';
import type { Redis } from 'ioredis';
import { randomUUID } from 'crypto';
import { InputValidationError } from './errors';
import type { RunbookAccess } from './auth/RunbookAccess';

/** What marks a secret input in stored and returned inputs. */
export const SECRET_MASK = Object.freeze({ set: true });

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
    const runbook = await this.getRunbook(name);
    if (!runbook.enabled) {
      throw new ConflictError(`Runbook ${name} is disabled`);
    }
    const fields = [];
    const environment = request.environment;
    if (typeof environment !== 'string' || !environment) {
      fields.push({ field: 'environment', message: 'is required' });
    } else if (!runbook.environments.includes(environment)) {
      fields.push({
        field: 'environment',
        message: `must be one of ${runbook.environments.join(', ')}`,
      });
    }
    const connections = request.connections ?? [];
    if (!Array.isArray(connections) || !connections.every(c => typeof c === 'string')) {
      fields.push({ field: 'connections', message: 'must be a list of connection ids' });
    }
    const rawInputs = request.inputs ?? {};
    if (typeof rawInputs !== 'object' || rawInputs === null || Array.isArray(rawInputs)) {
      fields.push({ field: 'inputs', message: 'must be an object' });
    }
    if (fields.length) throw new InputValidationError('Invalid request', fields);
    await this.deps.access?.check(runbook, environment as string, credentials);
    await this.checkConnections(connections as string[], runbook, environment as string);

    const validation = this.deps.catalog.validateInputs(name, rawInputs);
    if (!validation.valid) {
      throw new InputValidationError('Invalid inputs', validation.errors);
    }
    // Only declared inputs reach the playbook, even when a schema forgets
    // `additionalProperties: false`: extra vars override everything in
    // Ansible (think `ansible_connection`).
    const declared = new Set(
      Object.keys((runbook.inputs.properties as Record<string, unknown>) ?? {}),
    );
    const inputs = Object.fromEntries(
      Object.entries(validation.value).filter(([k]) => declared.has(k)),
    );
    const secretNames = secretFields(runbook.inputs);
    const secrets: Record<string, string> = {};
    const stored: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
      if (secretNames.includes(key)) {
        secrets[key] = String(value);
        stored[key] = SECRET_MASK;
      } else {
        stored[key] = value;
      }
    }

    const job = await this.deps.store.createJob({
      id: randomUUID(),
      runbookName: runbook.name,
      runbookVersion: runbook.version,
      environment: environment as string,
      inputs: stored,
      secretsEncrypted: Object.keys(secrets).length
        ? this.deps.secretBox.seal(secrets)
        : undefined,
      connections: connections as string[],
      createdBy: principalOf(credentials),
      parentJobId: options.parentJobId,
    });
    await this.enqueue(job.id);
    return job;
  }

  /**
   * A job may name only existing connections, of the types its runbook
   * declares, from its own environment: prod credentials never reach a stage
   * run. Nothing is decrypted here; the worker does that.
   */
  private async checkConnections(ids: string[], runbook: Runbook, environment: string) {
    const problems: string[] = [];
    for (const id of new Set(ids)) {
      const c = await this.deps.connections.get(id);
      if (!c) problems.push(`${id} does not exist`);
      else if (!runbook.connections.includes(c.type)) {
        problems.push(`${c.name} is a ${c.type} connection; ${runbook.name} takes ${runbook.connections.join(', ') || 'none'}`);
      } else if (c.environment !== environment) {
        problems.push(`${c.name} belongs to ${c.environment}, not ${environment}`);
      }
    }
    if (problems.length) {
      throw new InputValidationError('Invalid connections', [
        { field: 'connections', message: problems.join('; ') },
      ]);
    }
  }

  /**
   * The queue is only a wake-up call: when Redis is down the job stays
   * PENDING in the database and the reconciler enqueues it later.
   */
  private async enqueue(jobId: string) {
    try {
      await this.deps.queue.enqueue(jobId);
    } catch (e) {
      this.deps.logger.warn(
        `job ${jobId} stays pending until Redis answers: ${(e as Error).message}`,
      );
    }
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
      if (!isMask(v)) inputs[k] = v;
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

function isMask(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as Record<string, unknown>).set === true &&
    Object.keys(v).length === 1
  );
}
