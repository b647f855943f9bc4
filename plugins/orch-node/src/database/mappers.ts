import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import type {
  Job,
  JobEvent,
  JobStatus,
  JobStep,
  Runbook,
  RunbookDescriptor,
} from '@internal/backstage-plugin-orch-common';

/*
 * Row <-> type mapping for DatabaseJobStore. Timestamps: Postgres returns
 * Date objects for timestamptz columns, while better-sqlite3 returns what was
 * bound, which knex turns from a Date into epoch milliseconds. Everything
 * read goes through toIso, everything written is a Date.
 */

type Timestamp = Date | number | string;

/** @internal */
export type JobRow = {
  id: string;
  runbook_name: string;
  runbook_version: string;
  status: JobStatus;
  environment: string;
  input_json: string;
  connections_json: string;
  output_json: string | null;
  error: string | null;
  rc: number | null;
  created_by: string;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  attempt: number;
  worker: string | null;
  heartbeat_at: Timestamp | null;
  parent_job_id: string | null;
  cancel_requested: boolean | number;
  kind?: string | null;
  project_name?: string | null;
  project_repository?: string | null;
  project_ref?: string | null;
  step_index?: number | null;
};

/** @internal */
export type EventRow = {
  job_id: string;
  seq: number;
  ts: Timestamp;
  level: JobEvent['level'];
  type: string;
  host: string | null;
  task: string | null;
  stdout: string;
  data_json: string | null;
};

/** @internal */
export type StepRow = {
  job_id: string;
  idx: number;
  play: string;
  task: string;
  status: JobStep['status'];
  hosts_json: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  first_seq: number;
  child_job_id?: string | null;
};

/** @internal */
export type RunbookRow = {
  name: string;
  descriptor_json: string;
  enabled: boolean | number;
};

/** Every column of `jobs` except `secrets_encrypted`. */
export const JOB_COLUMNS: string[] = [
  'id',
  'runbook_name',
  'runbook_version',
  'status',
  'environment',
  'input_json',
  'connections_json',
  'output_json',
  'error',
  'rc',
  'created_by',
  'created_at',
  'started_at',
  'finished_at',
  'attempt',
  'worker',
  'heartbeat_at',
  'parent_job_id',
  'cancel_requested',
  'kind',
  'project_name',
  'project_repository',
  'project_ref',
  'step_index',
];

const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** A stored timestamp as ISO-8601 UTC with milliseconds. */
export function toIso(value: Timestamp): string {
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (typeof value === 'number') {
    return new Date(value).toISOString();
  }
  if (/^\d+$/.test(value)) {
    return new Date(Number(value)).toISOString();
  }
  // SQLite's CURRENT_TIMESTAMP is UTC without a zone designator.
  if (SQLITE_DATETIME.test(value)) {
    return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
  }
  return new Date(value).toISOString();
}

function toBool(value: boolean | number | string): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

function parseJson<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : JSON.parse(text);
}

/** Maps a `jobs` row; absent values are left out rather than undefined. */
export function rowToJob(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    runbookName: row.runbook_name,
    runbookVersion: row.runbook_version,
    status: row.status,
    environment: row.environment,
    inputs: parseJson(row.input_json) ?? {},
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    attempt: Number(row.attempt),
    connections: parseJson(row.connections_json) ?? [],
    cancelRequested: toBool(row.cancel_requested),
  };
  if (row.output_json !== null) job.outputs = parseJson(row.output_json);
  if (row.error !== null) job.error = row.error;
  if (row.rc !== null) job.rc = Number(row.rc);
  if (row.started_at !== null) job.startedAt = toIso(row.started_at);
  if (row.finished_at !== null) job.finishedAt = toIso(row.finished_at);
  if (row.worker !== null) job.worker = row.worker;
  if (row.heartbeat_at !== null) job.heartbeatAt = toIso(row.heartbeat_at);
  if (row.parent_job_id !== null) job.parentJobId = row.parent_job_id;
  if (row.kind === 'project') job.kind = 'project';
  if (row.project_name) {
    job.project = { name: row.project_name };
    if (row.project_repository) job.project.repository = row.project_repository;
    if (row.project_ref) job.project.ref = row.project_ref;
  }
  if (row.step_index !== null && row.step_index !== undefined) {
    job.stepIndex = Number(row.step_index);
  }
  return job;
}

export function rowToRunbook(row: RunbookRow): Runbook {
  const descriptor: RunbookDescriptor = JSON.parse(row.descriptor_json);
  return { ...descriptor, enabled: toBool(row.enabled) };
}

export function eventToRow(event: JobEvent): EventRow {
  return {
    job_id: event.jobId,
    seq: event.seq,
    ts: new Date(event.ts),
    level: event.level,
    type: event.type,
    host: event.host ?? null,
    task: event.task ?? null,
    stdout: event.stdout,
    data_json: event.data === undefined ? null : JSON.stringify(event.data),
  };
}

export function rowToEvent(row: EventRow): JobEvent {
  const event: JobEvent = {
    jobId: row.job_id,
    seq: Number(row.seq),
    ts: toIso(row.ts),
    level: row.level,
    type: row.type,
    stdout: row.stdout,
  };
  if (row.host !== null) event.host = row.host;
  if (row.task !== null) event.task = row.task;
  if (row.data_json !== null) event.data = JSON.parse(row.data_json);
  return event;
}

export function stepToRow(jobId: string, step: JobStep): StepRow {
  return {
    job_id: jobId,
    idx: step.index,
    play: step.play,
    task: step.task,
    status: step.status,
    hosts_json: JSON.stringify(step.hosts),
    started_at: new Date(step.startedAt),
    finished_at: step.finishedAt ? new Date(step.finishedAt) : null,
    first_seq: step.firstSeq,
    child_job_id: step.childJobId ?? null,
  };
}

export function rowToStep(row: StepRow): JobStep {
  const step: JobStep = {
    index: Number(row.idx),
    play: row.play,
    task: row.task,
    status: row.status,
    hosts: JSON.parse(row.hosts_json),
    startedAt: toIso(row.started_at),
    firstSeq: Number(row.first_seq),
  };
  if (row.finished_at !== null) step.finishedAt = toIso(row.finished_at);
  if (row.child_job_id) step.childJobId = row.child_job_id;
  return step;
}

/** The listJobs cursor: base64url of JSON `[createdAtIso, id]`. */
export function encodeJobCursor(job: Job): string {
  return Buffer.from(JSON.stringify([job.createdAt, job.id])).toString(
    'base64url',
  );
}

/**
 * The `n` strings of a base64url JSON array cursor; `InputError` for
 * anything else.
 */
export function decodeCursorParts(cursor: string, n: number): string[] {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) {
      throw new Error('not base64url');
    }
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InputError('Invalid cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== n ||
    !parsed.every(p => typeof p === 'string')
  ) {
    throw new InputError('Invalid cursor');
  }
  return parsed;
}

export function decodeJobCursor(cursor: string): {
  createdAt: Date;
  id: string;
} {
  const [time, id] = decodeCursorParts(cursor, 2);
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime())) {
    throw new InputError('Invalid cursor');
  }
  return { createdAt, id };
}

/**
 * Runs a newest-first keyset page: rows ordered by `(timeColumn desc, id
 * desc)`, those after `cursor` only, at most `limit`; one extra row is read to
 * know whether a next page exists. Stable: rows added while paging never
 * shift later pages. The cursor holds the last row's `[time, id]`.
 */
export async function newestFirstPage<Row, Item>(
  query: Knex.QueryBuilder,
  options: {
    timeColumn: string;
    cursor?: { time: Date; id: string | number };
    limit: number;
    map: (row: Row) => Item;
    cursorOf: (item: Item) => string;
  },
): Promise<{ items: Item[]; nextCursor?: string }> {
  const { timeColumn, cursor, limit } = options;
  if (cursor) {
    query.where(q =>
      q
        .where(timeColumn, '<', cursor.time)
        .orWhere(q2 =>
          q2.where(timeColumn, cursor.time).where('id', '<', cursor.id),
        ),
    );
  }
  const rows: Row[] = await query
    .orderBy([
      { column: timeColumn, order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(options.map);
  return rows.length > limit
    ? { items, nextCursor: options.cursorOf(items[items.length - 1]) }
    : { items };
}

/** Escapes LIKE wildcards so that `text` matches literally (ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, c => `\\${c}`);
}

/** Throws InputError unless `limit` is a positive integer. */
export function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError(`Invalid limit ${limit}, expected a positive integer`);
  }
}

/** Splits rows into chunks of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}
