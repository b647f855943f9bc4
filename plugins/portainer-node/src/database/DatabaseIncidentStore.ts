import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { DockerEvent } from '../events/types';
import { redactLabelValues } from '../incidents/redaction';
import type {
  DockerEventListFilter,
  Incident,
  IncidentListFilter,
  IncidentListPage,
  IncidentListResult,
  IncidentReason,
  IncidentRecurrence,
  IncidentStore,
  IncidentSubject,
  IncidentTimelineEntry,
  IncidentTimelineKind,
  NewIncident,
} from '../incidents/types';
import {
  INCIDENT_COLUMNS,
  decodeIncidentCursor,
  encodeIncidentCursor,
  isUniqueViolation,
  padNano,
  rowToEvent,
  rowToIncident,
  rowToTimeline,
  unpadNano,
  type IncidentRow,
  type TimelineRow,
} from './rows';

const migrationsDir = resolvePackagePath(
  '@internal/backstage-plugin-portainer-node',
  'migrations',
);

/*
 * The portainer plugin's database may also hold tables of other packages
 * with their own migrations. Knex refuses to migrate when its table lists
 * files missing from the directory it is given, so these migrations keep
 * their own bookkeeping (and lock) table.
 */
const migrationsTable = 'portainer_node_knex_migrations';

const MAX_PAGE = 500;
// 12 columns a row: far below SQLite's and Postgres' bound-variable limits.
const EVENTS_PER_INSERT = 500;

function eventIdentity(
  endpointId: string,
  timeNano: string,
  actorId: string,
  rawAction: string,
): string {
  return JSON.stringify([endpointId, timeNano, actorId, rawAction]);
}

function eventToRow(event: DockerEvent) {
  // Label values of secret-looking keys never reach the table.
  const stored: DockerEvent = {
    ...event,
    labels: redactLabelValues(event.labels),
  };
  return {
    endpoint_id: event.endpointId,
    time_nano: padNano(event.timeNano),
    time: new Date(Number(BigInt(event.timeNano) / 1_000_000n)),
    type: event.type,
    action: event.action.slice(0, 64),
    raw_action: event.rawAction.slice(0, 255),
    actor_id: event.actorId,
    container_name: event.containerName ?? null,
    service_name: event.serviceName ?? null,
    stack: event.stack ?? null,
    exit_code: event.exitCode ?? null,
    event_json: JSON.stringify(stored),
  };
}

/**
 * Docker events and incidents on Postgres or SQLite, through knex. Every
 * state change is one conditional statement or one transaction, so several
 * backend replicas can share the database: an event is stored once whoever
 * receives it, and a partial unique index keeps one active incident per
 * subject and reason.
 * @public
 */
export class DatabaseIncidentStore implements IncidentStore {
  private constructor(private readonly db: Knex) {}

  /**
   * Builds the store on the plugin's database, running the migrations unless
   * `database.migrations.skip` or `skipMigrations` says otherwise.
   */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseIncidentStore> {
    const client = await options.database.getClient();
    const skip = options.database.migrations?.skip || options.skipMigrations;
    return DatabaseIncidentStore.fromKnex(client, { skipMigrations: skip });
  }

  /** Builds the store on a knex client (tests, tools). */
  static async fromKnex(
    knex: Knex,
    options?: { skipMigrations?: boolean },
  ): Promise<DatabaseIncidentStore> {
    if (!options?.skipMigrations) {
      await knex.migrate.latest({
        directory: migrationsDir,
        tableName: migrationsTable,
      });
    }
    return new DatabaseIncidentStore(knex);
  }

  // Events

  async recordEvent(event: DockerEvent): Promise<boolean> {
    const [stored] = await this.recordEvents([event]);
    return stored;
  }

  async recordEvents(events: DockerEvent[]): Promise<boolean[]> {
    const result = events.map(() => false);
    // One row per identity: a key seen twice in the batch is stored once.
    const firstIndex = new Map<string, number>();
    events.forEach((event, i) => {
      const key = eventIdentity(
        event.endpointId,
        padNano(event.timeNano),
        event.actorId,
        event.rawAction.slice(0, 255),
      );
      if (!firstIndex.has(key)) firstIndex.set(key, i);
    });
    const rows = [...firstIndex.values()].map(i => eventToRow(events[i]));
    for (let start = 0; start < rows.length; start += EVENTS_PER_INSERT) {
      const inserted: Array<{
        endpoint_id: string;
        time_nano: string;
        actor_id: string;
        raw_action: string;
      }> = await this.db('docker_events')
        .insert(rows.slice(start, start + EVENTS_PER_INSERT))
        .onConflict(['endpoint_id', 'time_nano', 'actor_id', 'raw_action'])
        .ignore()
        .returning(['endpoint_id', 'time_nano', 'actor_id', 'raw_action']);
      for (const row of inserted) {
        const i = firstIndex.get(
          eventIdentity(
            row.endpoint_id,
            row.time_nano,
            row.actor_id,
            row.raw_action,
          ),
        );
        if (i !== undefined) result[i] = true;
      }
    }
    return result;
  }

  async lastEventTime(endpointId: string): Promise<string | undefined> {
    // Orch's own `task` events come from a scan, not from Docker's stream:
    // resuming after one could skip Docker events not yet received.
    const row = await this.db('docker_events')
      .where('endpoint_id', endpointId)
      .whereNot('type', 'task')
      .max({ last: 'time_nano' })
      .first();
    return row?.last ? unpadNano(String(row.last)) : undefined;
  }

  async listEvents(filter: DockerEventListFilter = {}): Promise<DockerEvent[]> {
    const query = this.db('docker_events').select('event_json');
    if (filter.endpointId) query.where('endpoint_id', filter.endpointId);
    if (filter.containerId) query.where('actor_id', filter.containerId);
    if (filter.sinceNano) {
      query.where('time_nano', '>=', padNano(filter.sinceNano));
    }
    const rows = await query
      .orderBy([
        { column: 'time_nano', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(filter.limit ?? 1000);
    return rows.map(rowToEvent);
  }

  async countEvents(filter: { endpointId?: string } = {}): Promise<number> {
    const query = this.db('docker_events');
    if (filter.endpointId) query.where('endpoint_id', filter.endpointId);
    const row = await query.count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async pruneEvents(olderThan: Date): Promise<number> {
    return await this.db('docker_events').where('time', '<', olderThan).del();
  }

  // Incidents

  async findActive(
    subject: Pick<IncidentSubject, 'endpointId' | 'kind' | 'name'>,
    reason: IncidentReason,
  ): Promise<Incident | undefined> {
    const row = await this.db('incidents')
      .select(INCIDENT_COLUMNS)
      .where({
        endpoint_id: subject.endpointId,
        subject_kind: subject.kind,
        subject: subject.name,
        reason,
      })
      .whereNot('status', 'resolved')
      .first();
    return row ? rowToIncident(row) : undefined;
  }

  async openIncident(
    input: NewIncident,
  ): Promise<{ incident: Incident; created: boolean }> {
    const { subject } = input;
    const row: IncidentRow = {
      id: randomUUID(),
      endpoint_id: subject.endpointId,
      subject_kind: subject.kind,
      subject: subject.name,
      container_id: subject.containerId ?? null,
      container_name: subject.containerName ?? null,
      service: subject.service ?? null,
      stack: subject.stack ?? null,
      reason: input.reason,
      status: 'open',
      count: 1,
      first_seen: input.at,
      last_seen: input.at,
      exit_code: input.exitCode ?? null,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      context_json: JSON.stringify(input.context),
    };
    try {
      await this.db.transaction(async tx => {
        await tx('incidents').insert(row);
        await this.insertTimeline(tx, row.id, {
          ts: input.at,
          kind: 'opened',
          detail: input.detail,
          data: input.data,
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another replica opened it first: this failure counts on that one.
      const active = await this.findActive(subject, input.reason);
      const incident =
        active &&
        (await this.recordRecurrence(active.id, {
          at: input.at,
          exitCode: input.exitCode,
          containerId: subject.containerId,
          containerName: subject.containerName,
          detail: input.detail,
          data: input.data,
        }));
      if (!incident) throw error;
      return { incident, created: false };
    }
    const { context_json: _context, ...summary } = row;
    return { incident: rowToIncident(summary), created: true };
  }

  async recordRecurrence(
    id: string,
    recurrence: IncidentRecurrence,
  ): Promise<Incident | undefined> {
    return await this.db.transaction(async tx => {
      const update: Record<string, unknown> = {
        count: tx.raw('?? + 1', ['count']),
        // Events can arrive a little out of order: never move back.
        last_seen: tx.raw('CASE WHEN ?? < ? THEN ? ELSE ?? END', [
          'last_seen',
          recurrence.at,
          recurrence.at,
          'last_seen',
        ]),
      };
      if (recurrence.exitCode !== undefined) {
        update.exit_code = recurrence.exitCode;
      }
      if (recurrence.containerId) update.container_id = recurrence.containerId;
      if (recurrence.containerName) {
        update.container_name = recurrence.containerName;
      }
      const updated = await tx('incidents')
        .where('id', id)
        .whereNot('status', 'resolved')
        .update(update);
      if (updated === 0) return undefined;
      await this.insertTimeline(tx, id, {
        ts: recurrence.at,
        kind: 'recurred',
        detail: recurrence.detail,
        data: recurrence.data,
      });
      const row = await tx('incidents')
        .select(INCIDENT_COLUMNS)
        .where('id', id)
        .first();
      return row && rowToIncident(row);
    });
  }

  async noteEvent(
    id: string,
    note: {
      at: Date;
      detail: string;
      exitCode?: number;
      data?: Record<string, unknown>;
    },
  ): Promise<void> {
    await this.db.transaction(async tx => {
      if (note.exitCode !== undefined) {
        await tx('incidents')
          .where('id', id)
          .whereNot('status', 'resolved')
          .update({ exit_code: note.exitCode });
      }
      await this.insertTimeline(tx, id, {
        ts: note.at,
        kind: 'event',
        detail: note.detail,
        data: note.data,
      });
    });
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const row = await this.db('incidents')
      .select([...INCIDENT_COLUMNS, 'context_json'])
      .where('id', id)
      .first();
    return row ? rowToIncident(row) : undefined;
  }

  async listIncidents(
    filter: IncidentListFilter,
    page: IncidentListPage,
  ): Promise<IncidentListResult> {
    if (!Number.isInteger(page.limit) || page.limit < 1) {
      throw new InputError(`Invalid limit ${page.limit}`);
    }
    const limit = Math.min(page.limit, MAX_PAGE);
    const query = this.db('incidents').select(INCIDENT_COLUMNS);
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status)
        ? filter.status
        : [filter.status];
      query.whereIn('status', statuses);
    }
    if (filter.endpointId) query.where('endpoint_id', filter.endpointId);
    if (filter.stack) query.where('stack', filter.stack);
    if (filter.reason) query.where('reason', filter.reason);
    if (page.cursor) {
      const cursor = decodeIncidentCursor(page.cursor);
      query.where(q =>
        q
          .where('first_seen', '<', cursor.openedAt)
          .orWhere(q2 =>
            q2.where('first_seen', cursor.openedAt).where('id', '<', cursor.id),
          ),
      );
    }
    const rows: IncidentRow[] = await query
      .orderBy([
        { column: 'first_seen', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    const items = rows.slice(0, limit).map(rowToIncident);
    return rows.length > limit
      ? { items, nextCursor: encodeIncidentCursor(items[items.length - 1]) }
      : { items };
  }

  async listQuietCandidates(lastSeenBefore: Date): Promise<Incident[]> {
    const rows: IncidentRow[] = await this.db('incidents')
      .select(INCIDENT_COLUMNS)
      .whereNot('status', 'resolved')
      .where('last_seen', '<', lastSeenBefore)
      .orderBy('last_seen', 'asc');
    return rows.map(rowToIncident);
  }

  async listTimeline(incidentId: string): Promise<IncidentTimelineEntry[]> {
    const rows: TimelineRow[] = await this.db('incident_timeline')
      .where('incident_id', incidentId)
      .orderBy('id', 'asc');
    return rows.map(rowToTimeline);
  }

  async acknowledge(id: string, by: string, at: Date): Promise<Incident> {
    return await this.db.transaction(async tx => {
      const updated = await tx('incidents')
        .where({ id, status: 'open' })
        .update({
          status: 'acknowledged',
          acknowledged_at: at,
          acknowledged_by: by,
        });
      if (updated > 0) {
        await this.insertTimeline(tx, id, {
          ts: at,
          kind: 'acknowledged',
          detail: `Acknowledged by ${by}`,
          data: { by },
        });
      }
      const incident = await this.readIncident(tx, id);
      if (incident.status === 'resolved') {
        throw new ConflictError(`Incident ${id} is resolved`);
      }
      return incident;
    });
  }

  async resolve(
    id: string,
    by: string,
    at: Date,
    detail?: string,
  ): Promise<Incident> {
    return await this.db.transaction(async tx => {
      const updated = await tx('incidents')
        .where('id', id)
        .whereNot('status', 'resolved')
        .update({ status: 'resolved', resolved_at: at, resolved_by: by });
      if (updated === 0) {
        await this.readIncident(tx, id);
        throw new ConflictError(`Incident ${id} is already resolved`);
      }
      await this.insertTimeline(tx, id, {
        ts: at,
        kind: 'resolved',
        detail: detail ?? `Resolved by ${by}`,
        data: { by },
      });
      return this.readIncident(tx, id);
    });
  }

  private async readIncident(db: Knex, id: string): Promise<Incident> {
    const row = await db('incidents')
      .select(INCIDENT_COLUMNS)
      .where('id', id)
      .first();
    if (!row) throw new NotFoundError(`No incident ${id}`);
    return rowToIncident(row);
  }

  private async insertTimeline(
    db: Knex,
    incidentId: string,
    entry: {
      ts: Date;
      kind: IncidentTimelineKind;
      detail: string;
      data?: Record<string, unknown>;
    },
  ): Promise<void> {
    await db('incident_timeline').insert({
      incident_id: incidentId,
      ts: entry.ts,
      kind: entry.kind,
      detail: entry.detail,
      data_json: entry.data === undefined ? null : JSON.stringify(entry.data),
    });
  }
}
