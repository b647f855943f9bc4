import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Job, Runbook } from '@internal/backstage-plugin-orch-common';
import { randomUUID } from 'crypto';
import type { SecretBox } from '../crypto/SecretBox';
import type { DatabaseConnectionStore } from '../database/DatabaseConnectionStore';
import type { DatabaseJobStore } from '../database/DatabaseJobStore';
import type { JobQueue } from '../queue/JobQueue';
import { secretFields, type RunbookCatalog } from '../runbooks/RunbookCatalog';
import { InputValidationError, type FieldError } from './InputValidationError';

/**
 * What marks a secret input in stored and returned inputs.
 * @public
 */
export const SECRET_MASK = Object.freeze({ set: true });

/**
 * Whether a stored input value is the secret mask.
 * @public
 */
export function isSecretMask(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as Record<string, unknown>).set === true &&
    Object.keys(v).length === 1
  );
}

/**
 * A request to run one runbook, as the API and project installs give it.
 * @public
 */
export type RunbookJobRequest = {
  inputs?: unknown;
  environment?: unknown;
  connections?: unknown;
};

/**
 * A runbook job request after validation: what would be stored and what
 * would be sealed.
 * @public
 */
export type ValidatedRunbookJob = {
  runbook: Runbook;
  environment: string;
  connections: string[];
  /** Declared inputs with defaults, secret values masked. */
  stored: Record<string, unknown>;
  /** Secret inputs by name (plain text: seal, never store). */
  secrets: Record<string, string>;
};

/**
 * Options of {@link RunbookJobFactory.create}.
 * @public
 */
export type CreateRunbookJobOptions = {
  createdBy: string;
  parentJobId?: string;
  stepIndex?: number;
  project?: { name: string; repository?: string; ref?: string };
  /**
   * Called once the request is well-formed and before anything is
   * written: the runbook's own access rules.
   */
  authorize?: (runbook: Runbook, environment: string) => Promise<void>;
};

/**
 * The one path by which a runbook job is born, for the HTTP API and for the
 * steps of a project install alike: the runbook must exist and be enabled,
 * the environment and connections must fit it, the inputs must pass its
 * JSON Schema, only declared inputs are kept, and secret inputs are split
 * off and sealed so that stored inputs never hold a secret value. The job
 * row is written PENDING, then enqueued.
 * @public
 */
export class RunbookJobFactory {
  constructor(
    private readonly deps: {
      store: DatabaseJobStore;
      connections: DatabaseConnectionStore;
      catalog: RunbookCatalog;
      queue: JobQueue;
      secretBox: SecretBox;
      logger: LoggerService;
      /**
       * `orch.environments.default`: the environment of a request that names
       * none, when the runbook allows more than one. Never `prod`.
       */
      defaultEnvironment?: string;
    },
  ) {}

  /**
   * The environment of a request that names none: the runbook's only
   * environment, else the configured default. `prod` is never chosen
   * silently; undefined when there is no usable default.
   */
  private defaultEnvironmentOf(runbook: Runbook): string | undefined {
    const candidate =
      runbook.environments.length === 1
        ? runbook.environments[0]
        : this.deps.defaultEnvironment;
    if (!candidate || candidate === 'prod') return undefined;
    return runbook.environments.includes(candidate) ? candidate : undefined;
  }

  /** Validates a request without writing anything. */
  async validate(
    name: string,
    request: RunbookJobRequest,
    authorize?: CreateRunbookJobOptions['authorize'],
  ): Promise<ValidatedRunbookJob> {
    const runbook = await this.deps.store.getRunbook(name);
    if (!runbook) throw new NotFoundError(`No runbook named ${name}`);
    if (!runbook.enabled) {
      throw new ConflictError(`Runbook ${name} is disabled`);
    }
    const fields: FieldError[] = [];
    const environment =
      request.environment === undefined ||
      request.environment === null ||
      request.environment === ''
        ? this.defaultEnvironmentOf(runbook)
        : request.environment;
    if (environment === undefined) {
      fields.push({
        field: 'environment',
        message: `is required (no default applies; one of ${runbook.environments.join(', ')})`,
      });
    } else if (typeof environment !== 'string') {
      fields.push({ field: 'environment', message: 'must be a string' });
    } else if (!runbook.environments.includes(environment)) {
      fields.push({
        field: 'environment',
        message: `must be one of ${runbook.environments.join(', ')}`,
      });
    }
    const connections = request.connections ?? [];
    if (
      !Array.isArray(connections) ||
      !connections.every(c => typeof c === 'string')
    ) {
      fields.push({
        field: 'connections',
        message: 'must be a list of connection ids',
      });
    }
    const rawInputs = request.inputs ?? {};
    if (
      typeof rawInputs !== 'object' ||
      rawInputs === null ||
      Array.isArray(rawInputs)
    ) {
      fields.push({ field: 'inputs', message: 'must be an object' });
    }
    if (fields.length) throw new InputValidationError('Invalid request', fields);
    await authorize?.(runbook, environment as string);
    await this.checkConnections(
      connections as string[],
      runbook,
      environment as string,
    );

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
    const secretNames = secretFields(runbook.inputs);
    const secrets: Record<string, string> = {};
    const stored: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(validation.value)) {
      if (!declared.has(key)) continue;
      if (secretNames.includes(key)) {
        secrets[key] = String(value);
        stored[key] = SECRET_MASK;
      } else {
        stored[key] = value;
      }
    }
    return {
      runbook,
      environment: environment as string,
      connections: connections as string[],
      stored,
      secrets,
    };
  }

  /** Validates, writes the PENDING job and enqueues it. */
  async create(
    name: string,
    request: RunbookJobRequest,
    options: CreateRunbookJobOptions,
  ): Promise<Job> {
    const v = await this.validate(name, request, options.authorize);
    const job = await this.deps.store.createJob({
      id: randomUUID(),
      runbookName: v.runbook.name,
      runbookVersion: v.runbook.version,
      environment: v.environment,
      inputs: v.stored,
      secretsEncrypted: Object.keys(v.secrets).length
        ? this.deps.secretBox.seal(v.secrets)
        : undefined,
      connections: v.connections,
      createdBy: options.createdBy,
      parentJobId: options.parentJobId,
      stepIndex: options.stepIndex,
      project: options.project,
    });
    await this.enqueue(job.id);
    return job;
  }

  /**
   * The queue is only a wake-up call: when Redis is down the job stays
   * PENDING in the database and the reconciler enqueues it later.
   */
  async enqueue(jobId: string, kind: 'runbook' | 'project' = 'runbook') {
    try {
      await this.deps.queue.enqueue(jobId, kind);
    } catch (e) {
      this.deps.logger.warn(
        `job ${jobId} stays pending until Redis answers: ${(e as Error).message}`,
      );
    }
  }

  /**
   * A job may name only existing connections, of the types its runbook
   * declares, from its own environment: prod credentials never reach a stage
   * run. Nothing is decrypted here; the worker does that.
   */
  private async checkConnections(
    ids: string[],
    runbook: Runbook,
    environment: string,
  ) {
    const problems: string[] = [];
    for (const id of new Set(ids)) {
      const c = await this.deps.connections.get(id);
      if (!c) problems.push(`${id} does not exist`);
      else if (!runbook.connections.includes(c.type)) {
        problems.push(
          `${c.name} is a ${c.type} connection; ${runbook.name} takes ${
            runbook.connections.join(', ') || 'none'
          }`,
        );
      } else if (c.environment !== environment) {
        problems.push(
          `${c.name} belongs to ${c.environment}, not ${environment}`,
        );
      }
    }
    if (problems.length) {
      throw new InputValidationError('Invalid connections', [
        { field: 'connections', message: problems.join('; ') },
      ]);
    }
  }
}

