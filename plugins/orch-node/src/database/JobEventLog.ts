import type { JobEvent, JobStep } from '@internal/backstage-plugin-orch-common';
import type { Knex } from 'knex';
import {
  assertLimit,
  chunk,
  escapeLike,
  eventToRow,
  EventRow,
  rowToEvent,
  rowToStep,
  StepRow,
  stepToRow,
} from './mappers';
import type { ListEventsOptions, ListEventsResult } from './types';

/*
 * Rows per INSERT of the multi-row VALUES form: SQLite's historic limit is
 * 999 bound variables, and event and step rows have 9 columns.
 */
const ROWS_PER_INSERT = Math.floor(999 / 9);

/*
 * Events are the hot path. On Postgres one array parameter per column and
 * unnest() avoid binding 9 parameters per row, which is about twice as fast
 * as a multi-row VALUES list for batches of hundreds of events.
 */
const EVENT_COLUMNS = [
  'job_id',
  'seq',
  'ts',
  'level',
  'type',
  'host',
  'task',
  'stdout',
  'data_json',
] as const;
const POSTGRES_INSERT_EVENTS = `INSERT INTO job_events (${EVENT_COLUMNS.join(
  ', ',
)})
  SELECT * FROM unnest(?::text[], ?::integer[], ?::timestamptz[], ?::text[],
    ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
  ON CONFLICT (job_id, seq) DO NOTHING`;
const POSTGRES_EVENTS_PER_INSERT = 5000;

function columnArrays(rows: EventRow[]): Knex.Value[] {
  // pg sends each as a Postgres array; nulls inside arrays are fine there.
  return EVENT_COLUMNS.map(column =>
    rows.map(row => row[column]),
  ) as Knex.Value[];
}

/**
 * The events and steps of jobs, the append-mostly half of DatabaseJobStore.
 * @internal
 */
export class JobEventLog {
  private readonly isPostgres: boolean;

  constructor(private readonly db: Knex) {
    const client = String(db.client.config.client);
    this.isPostgres = client === 'pg' || client.includes('postgres');
  }

  async insertEvents(events: JobEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const rows = events.map(eventToRow);
    const insert = this.isPostgres
      ? (db: Knex, part: EventRow[]) =>
          db.raw(POSTGRES_INSERT_EVENTS, columnArrays(part))
      : (db: Knex, part: EventRow[]) =>
          db('job_events').insert(part).onConflict(['job_id', 'seq']).ignore();
    const parts = chunk(
      rows,
      this.isPostgres ? POSTGRES_EVENTS_PER_INSERT : ROWS_PER_INSERT,
    );
    if (parts.length === 1) {
      await insert(this.db, parts[0]);
      return;
    }
    await this.db.transaction(async tx => {
      for (const part of parts) {
        await insert(tx, part);
      }
    });
  }

  async listEvents(
    jobId: string,
    options: ListEventsOptions,
  ): Promise<ListEventsResult> {
    assertLimit(options.limit);
    const query = this.db<EventRow>('job_events').where('job_id', jobId);
    if (options.after !== undefined) query.where('seq', '>', options.after);
    if (options.before !== undefined) query.where('seq', '<', options.before);
    if (options.q) {
      const pattern = `%${escapeLike(options.q)}%`;
      // SQLite's LIKE ignores ASCII case already.
      const like = this.isPostgres ? 'ILIKE' : 'LIKE';
      query.where(q =>
        q
          .whereRaw(`stdout ${like} ? ESCAPE '\\'`, [pattern])
          .orWhereRaw(`task ${like} ? ESCAPE '\\'`, [pattern]),
      );
    }
    const rows = (await query
      .orderBy('seq', 'asc')
      .limit(options.limit + 1)) as EventRow[];
    const items = rows.slice(0, options.limit).map(rowToEvent);
    return rows.length > options.limit
      ? { items, nextAfter: items[items.length - 1].seq }
      : { items };
  }

  async maxEventSeq(jobId: string): Promise<number> {
    const row = await this.db('job_events')
      .max('seq as max')
      .where('job_id', jobId)
      .first();
    return Number(row?.max ?? 0);
  }

  async countEvents(jobId: string): Promise<number> {
    const row = await this.db('job_events')
      .count('* as count')
      .where('job_id', jobId)
      .first();
    return Number(row?.count ?? 0);
  }

  // Steps

  async upsertSteps(jobId: string, steps: JobStep[]): Promise<void> {
    if (steps.length === 0) {
      return;
    }
    const rows = steps.map(step => stepToRow(jobId, step));
    await this.db.transaction(async tx => {
      for (const part of chunk(rows, ROWS_PER_INSERT)) {
        await tx('job_steps')
          .insert(part)
          .onConflict(['job_id', 'idx'])
          .merge([
            'play',
            'task',
            'status',
            'hosts_json',
            'started_at',
            'finished_at',
            'first_seq',
            'child_job_id',
          ]);
      }
    });
  }

  async listSteps(jobId: string): Promise<JobStep[]> {
    const rows = (await this.db<StepRow>('job_steps')
      .where('job_id', jobId)
      .orderBy('idx', 'asc')) as StepRow[];
    return rows.map(rowToStep);
  }
}
