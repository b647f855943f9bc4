import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  Job,
  JobKind,
  JobEvent,
  JobStatus,
  JobStep,
  Runbook,
  RunbookDescriptor,
} from '@internal/backstage-plugin-orch-common';
import type { Knex } from 'knex';
import { JobEventLog } from './JobEventLog';
import { tuneSqlite } from './sqlite';
import {
  assertLimit,
  chunk,
  decodeJobCursor,
  encodeJobCursor,
  newestFirstPage,
  JOB_COLUMNS,
  rowToJob,
  rowToRunbook,
  RunbookRow,
} from './mappers';
import type {
  CreateJobOptions,
  FinishJobOptions,
  JobStore,
  ListEventsOptions,
  ListEventsResult,
  ListJobsFilter,
  ListJobsPage,
  ListJobsResult,
  RequestCancelResult,
} from './types';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-orch-node',
  'migrations',
);

/*
 * The orch plugin database can also hold tables of other packages with their
 * own migrations (orch-backend). Knex refuses to migrate when its table lists
 * files missing from the directory it is given, so these migrations keep
 * their own bookkeeping table (and lock table).
 */
const migrationsTable = 'orch_node_knex_migrations';

// Runbooks are few; this stays far below every bound-variable limit.
const RUNBOOKS_PER_INSERT = 100;

/**
 * The job store on Postgres or SQLite, through knex: runbooks, jobs, their
 * steps and their events. Every timestamp it returns is ISO-8601 UTC with
 * milliseconds. State changes are single conditional UPDATEs, so several
 * backend replicas and workers can share one database.
 * @public
 */
export class DatabaseJobStore implements JobStore {
  private readonly log: JobEventLog;

  private constructor(private readonly db: Knex) {
    this.log = new JobEventLog(db);
  }

  /**
   * Builds the store on the plugin's database, running the migrations unless
   * `database.migrations.skip` or `skipMigrations` says otherwise.
   */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseJobStore> {
    const client = await options.database.getClient();
    const skip = options.database.migrations?.skip || options.skipMigrations;
    return DatabaseJobStore.fromKnex(client, { skipMigrations: skip });
  }

  /**
   * Builds the store on a knex client (the worker, tests), running the
   * migrations unless `skipMigrations` is set.
   */
  static async fromKnex(
    knex: Knex,
    options?: { skipMigrations?: boolean },
  ): Promise<DatabaseJobStore> {
    // The embedded default has the backend and the worker write one SQLite
    // file from two processes: WAL, and a writer that waits for the lock.
    await tuneSqlite(knex);
    if (!options?.skipMigrations) {
      await knex.migrate.latest({
        directory: migrationsDir,
        tableName: migrationsTable,
      });
    }
    return new DatabaseJobStore(knex);
  }

  // Runbooks

  async syncRunbooks(descriptors: RunbookDescriptor[]): Promise<void> {
    if (descriptors.length === 0) {
      return;
    }
    const now = new Date();
    const rows = descriptors.map(d => ({
      name: d.name,
      version: d.version,
      title: d.title,
      category: d.category,
      risk: d.risk,
      schema_json: JSON.stringify(d.inputs),
      descriptor_json: JSON.stringify(d),
      synced_at: now,
    }));
    await this.db.transaction(async tx => {
      for (const part of chunk(rows, RUNBOOKS_PER_INSERT)) {
        await tx('runbooks')
          .insert(part)
          .onConflict('name')
          .merge([
            'version',
            'title',
            'category',
            'risk',
            'schema_json',
            'descriptor_json',
            'synced_at',
          ]);
      }
    });
  }

  async listRunbooks(): Promise<Runbook[]> {
    const rows = await this.db<RunbookRow>('runbooks')
      .select('name', 'descriptor_json', 'enabled')
      .orderBy('name');
    return rows.map(rowToRunbook);
  }

  async getRunbook(name: string): Promise<Runbook | undefined> {
    const row = await this.db<RunbookRow>('runbooks')
      .select('name', 'descriptor_json', 'enabled')
      .where('name', name)
      .first();
    return row ? rowToRunbook(row) : undefined;
  }

  async setRunbookEnabled(name: string, enabled: boolean): Promise<boolean> {
    const count = await this.db('runbooks')
      .where('name', name)
      .update({ enabled });
    return count > 0;
  }

  // Jobs

  async createJob(job: CreateJobOptions): Promise<Job> {
    const row = {
      id: job.id,
      runbook_name: job.runbookName,
      runbook_version: job.runbookVersion,
      status: 'PENDING' as const,
      environment: job.environment,
      input_json: JSON.stringify(job.inputs),
      secrets_encrypted: job.secretsEncrypted ?? null,
      connections_json: JSON.stringify(job.connections ?? []),
      output_json: null,
      error: null,
      rc: null,
      created_by: job.createdBy,
      created_at: job.now ?? new Date(),
      started_at: null,
      finished_at: null,
      attempt: 0,
      worker: null,
      heartbeat_at: null,
      parent_job_id: job.parentJobId ?? null,
      cancel_requested: false,
      kind: job.kind ?? 'runbook',
      project_name: job.project?.name ?? null,
      project_repository: job.project?.repository ?? null,
      project_ref: job.project?.ref ?? null,
      project_json:
        job.projectManifest === undefined
          ? null
          : JSON.stringify(job.projectManifest),
      step_index: job.stepIndex ?? null,
    };
    await this.db('jobs').insert(row);
    const {
      secrets_encrypted: _secrets,
      project_json: _manifest,
      ...stored
    } = row;
    return rowToJob(stored);
  }

  async getJob(id: string): Promise<Job | undefined> {
    const row = await this.db('jobs')
      .select(JOB_COLUMNS)
      .where('id', id)
      .first();
    return row ? rowToJob(row) : undefined;
  }

  /**
   * Re-encrypts the sealed secrets jobs still hold (pending or running
   * jobs), for key rotation. A job that ended meanwhile keeps its cleared
   * value: each update only applies to the ciphertext it read.
   */
  async resealSecrets(reseal: (sealed: string) => string): Promise<number> {
    const rows: Array<{ id: string; secrets_encrypted: string }> =
      await this.db('jobs')
        .whereNotNull('secrets_encrypted')
        .select('id', 'secrets_encrypted');
    let count = 0;
    for (const row of rows) {
      count += await this.db('jobs')
        .where({ id: row.id, secrets_encrypted: row.secrets_encrypted })
        .update({ secrets_encrypted: reseal(row.secrets_encrypted) });
    }
    return count;
  }

  async getJobSecrets(id: string): Promise<string | undefined> {
    const row = await this.db('jobs')
      .select('secrets_encrypted')
      .where('id', id)
      .first();
    return row?.secrets_encrypted ?? undefined;
  }

  async listJobs(
    filter: ListJobsFilter,
    page: ListJobsPage,
  ): Promise<ListJobsResult> {
    assertLimit(page.limit);
    const query = this.db('jobs').select(JOB_COLUMNS);
    if (filter.status?.length) query.whereIn('status', filter.status);
    if (filter.runbook) query.where('runbook_name', filter.runbook);
    if (filter.environment) query.where('environment', filter.environment);
    if (filter.createdBy) query.where('created_by', filter.createdBy);
    if (filter.parentJobId) query.where('parent_job_id', filter.parentJobId);
    if (filter.kind) query.where('kind', filter.kind);
    const cursor =
      page.cursor === undefined ? undefined : decodeJobCursor(page.cursor);
    return newestFirstPage(query, {
      timeColumn: 'created_at',
      cursor: cursor && { time: cursor.createdAt, id: cursor.id },
      limit: page.limit,
      map: rowToJob,
      cursorOf: encodeJobCursor,
    });
  }

  async claimJob(
    id: string,
    workerId: string,
    now: Date = new Date(),
  ): Promise<Job | undefined> {
    const count = await this.db('jobs')
      .where({ id, status: 'PENDING' })
      .update({
        status: 'RUNNING',
        started_at: this.db.raw('COALESCE(started_at, ?)', [now]),
        heartbeat_at: now,
        worker: workerId,
        attempt: this.db.raw('attempt + 1'),
      });
    return count > 0 ? this.getJob(id) : undefined;
  }

  async heartbeat(
    id: string,
    workerId: string,
    now: Date = new Date(),
  ): Promise<boolean> {
    const count = await this.db('jobs')
      .where({ id, status: 'RUNNING', worker: workerId })
      .update({ heartbeat_at: now });
    return count > 0;
  }

  async finishJob(id: string, options: FinishJobOptions): Promise<boolean> {
    const { status, workerId } = options;
    const update: Record<string, unknown> = {
      status,
      finished_at: options.now ?? new Date(),
      secrets_encrypted: null,
    };
    if (options.outputs !== undefined) {
      update.output_json = JSON.stringify(options.outputs);
    }
    if (options.error !== undefined) update.error = options.error;
    if (options.rc !== undefined) update.rc = options.rc;
    const count = await this.db('jobs')
      .where('id', id)
      .where(q => {
        q.where(running => {
          running.where('status', 'RUNNING');
          if (workerId !== undefined) running.where('worker', workerId);
        });
        if (status === 'CANCELED') q.orWhere('status', 'PENDING');
      })
      .update(update);
    return count > 0;
  }

  async requestCancel(
    id: string,
    now: Date = new Date(),
  ): Promise<RequestCancelResult | undefined> {
    const canceled = await this.db('jobs')
      .where({ id, status: 'PENDING' })
      .update({
        status: 'CANCELED',
        finished_at: now,
        cancel_requested: true,
        secrets_encrypted: null,
      });
    if (canceled > 0) {
      const job = await this.getJob(id);
      return job && { job, immediate: true };
    }
    // Not pending: ask the worker of a running job to stop it. A job that
    // was claimed meanwhile is running by now, so this still catches it.
    await this.db('jobs')
      .where({ id, status: 'RUNNING' })
      .update({ cancel_requested: true });
    const job = await this.getJob(id);
    return job && { job, immediate: false };
  }

  async releaseJob(id: string, workerId: string): Promise<boolean> {
    const count = await this.db('jobs')
      .where({ id, status: 'RUNNING', worker: workerId })
      .update({ status: 'PENDING', worker: null, heartbeat_at: null });
    return count > 0;
  }

  async findStaleRunning(heartbeatBefore: Date, limit = 100): Promise<Job[]> {
    assertLimit(limit);
    const rows = await this.db('jobs')
      .select(JOB_COLUMNS)
      .where('status', 'RUNNING')
      .where('heartbeat_at', '<', heartbeatBefore)
      .orderBy('heartbeat_at', 'asc')
      .limit(limit);
    return rows.map(rowToJob);
  }

  async listIdsByStatus(
    status: JobStatus,
    limit: number,
    kind?: JobKind,
  ): Promise<string[]> {
    assertLimit(limit);
    const query = this.db('jobs').select('id').where('status', status);
    if (kind) query.where('kind', kind);
    const rows = await query
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(r => r.id);
  }

  async getProjectManifest(id: string): Promise<unknown | undefined> {
    const row = await this.db('jobs')
      .select('project_json')
      .where('id', id)
      .first();
    return row?.project_json ? JSON.parse(row.project_json) : undefined;
  }

  /** The children of a project install, in step order. */
  async listChildren(parentJobId: string): Promise<Job[]> {
    const rows = await this.db('jobs')
      .select(JOB_COLUMNS)
      .where('parent_job_id', parentJobId)
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(rowToJob);
  }

  // Events and steps

  insertEvents(events: JobEvent[]): Promise<void> {
    return this.log.insertEvents(events);
  }

  listEvents(
    jobId: string,
    options: ListEventsOptions,
  ): Promise<ListEventsResult> {
    return this.log.listEvents(jobId, options);
  }

  maxEventSeq(jobId: string): Promise<number> {
    return this.log.maxEventSeq(jobId);
  }

  countEvents(jobId: string): Promise<number> {
    return this.log.countEvents(jobId);
  }

  upsertSteps(jobId: string, steps: JobStep[]): Promise<void> {
    return this.log.upsertSteps(jobId, steps);
  }

  listSteps(jobId: string): Promise<JobStep[]> {
    return this.log.listSteps(jobId);
  }
}
