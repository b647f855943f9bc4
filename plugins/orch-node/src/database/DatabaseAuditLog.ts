import type {
  AuditEntry,
  AuditOutcome,
} from '@internal/backstage-plugin-orch-common';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  assertLimit,
  decodeJobCursor,
  newestFirstPage,
  toIso,
} from './mappers';

/**
 * What {@link DatabaseAuditLog.append} takes: an entry without its id, and
 * with an optional time (now when absent).
 * @public
 */
export type AuditAppendEntry = Omit<AuditEntry, 'id' | 'ts'> & { ts?: Date };

/**
 * Filter of {@link DatabaseAuditLog.list}; every field narrows the result.
 * `from` is inclusive and `to` exclusive.
 * @public
 */
export type AuditListFilter = {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
};

/**
 * Page of {@link DatabaseAuditLog.list}: `cursor` is the `nextCursor` of the
 * previous page.
 * @public
 */
export type AuditListPage = { cursor?: string; limit: number };

/**
 * One page of audit entries, newest first.
 * @public
 */
export type AuditListResult = { items: AuditEntry[]; nextCursor?: string };

type AuditRow = {
  id: string | number;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ts: Date | number | string;
  outcome: AuditOutcome;
  client: string | null;
  metadata_json: string | null;
};

const OUTCOMES: AuditOutcome[] = ['success', 'failure', 'denied'];
const CLIENT_MAX = 200;

function rowToEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    id: String(row.id),
    actor: row.actor,
    action: row.action,
    ts: toIso(row.ts),
    outcome: row.outcome,
  };
  if (row.target_type !== null) entry.targetType = row.target_type;
  if (row.target_id !== null) entry.targetId = row.target_id;
  if (row.client !== null) entry.client = row.client;
  if (row.metadata_json !== null)
    entry.metadata = JSON.parse(row.metadata_json);
  return entry;
}

// Same shape as the job cursor (base64url of JSON `[tsIso, id]`), so the
// decoder in mappers.ts is shared.
function encodeCursor(entry: AuditEntry): string {
  return Buffer.from(JSON.stringify([entry.ts, entry.id])).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): { ts: Date; id: number } {
  const { createdAt, id } = decodeJobCursor(cursor);
  if (!/^\d{1,15}$/.test(id)) {
    throw new InputError('Invalid cursor');
  }
  return { ts: createdAt, id: Number(id) };
}

/**
 * The audit log on Postgres or SQLite: an append-only record of critical
 * actions. Append-only by construction: this class has no update or delete
 * method, and nothing else in Orch writes the `audit_log` table.
 *
 * It runs no migrations of its own: the `audit_log` table is created by the
 * package's migrations, which {@link DatabaseJobStore} runs. Build the job
 * store (with migrations) on the same database first.
 *
 * The log stores what it is given: keeping secrets out of `metadata` is the
 * writer's job (orch-backend's AuditService).
 * @public
 */
export class DatabaseAuditLog {
  private constructor(private readonly db: Knex) {}

  /**
   * Builds the log on a knex client whose migrations
   * {@link DatabaseJobStore.fromKnex} has already run.
   */
  static async fromKnex(knex: Knex): Promise<DatabaseAuditLog> {
    return new DatabaseAuditLog(knex);
  }

  /** Inserts one entry and returns it as stored. */
  async append(entry: AuditAppendEntry): Promise<AuditEntry> {
    if (!OUTCOMES.includes(entry.outcome)) {
      throw new InputError(`Invalid audit outcome ${entry.outcome}`);
    }
    const row: Omit<AuditRow, 'id'> = {
      actor: entry.actor,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      ts: entry.ts ?? new Date(),
      outcome: entry.outcome,
      client: entry.client?.slice(0, CLIENT_MAX) ?? null,
      metadata_json:
        entry.metadata === undefined ? null : JSON.stringify(entry.metadata),
    };
    const [inserted] = await this.db('audit_log').insert(row, ['id']);
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    return rowToEntry({ ...row, id });
  }

  /** Lists entries newest first, by (ts, id), one page at a time. */
  async list(
    filter: AuditListFilter,
    page: AuditListPage,
  ): Promise<AuditListResult> {
    assertLimit(page.limit);
    const query = this.db<AuditRow>('audit_log').select('*');
    if (filter.actor !== undefined) query.where('actor', filter.actor);
    if (filter.action !== undefined) query.where('action', filter.action);
    if (filter.targetType !== undefined) {
      query.where('target_type', filter.targetType);
    }
    if (filter.targetId !== undefined)
      query.where('target_id', filter.targetId);
    if (filter.from) query.where('ts', '>=', filter.from);
    if (filter.to) query.where('ts', '<', filter.to);
    const cursor =
      page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    return newestFirstPage(query, {
      timeColumn: 'ts',
      cursor: cursor && { time: cursor.ts, id: cursor.id },
      limit: page.limit,
      map: rowToEntry,
      cursorOf: encodeCursor,
    });
  }
}
