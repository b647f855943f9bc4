import { InputError } from '@backstage/errors';
import type { DockerEvent } from '../events/types';
import type {
  Incident,
  IncidentTimelineEntry,
  IncidentTimelineKind,
} from '../incidents/types';

/*
 * Row <-> type mapping. Timestamps: Postgres returns Date objects for
 * timestamptz columns, better-sqlite3 the epoch milliseconds knex bound for a
 * Date. Everything read goes through toIso, everything written is a Date.
 */

type Timestamp = Date | number | string;

/** @internal */
export type IncidentRow = {
  id: string;
  endpoint_id: string;
  subject_kind: Incident['subjectKind'];
  subject: string;
  container_id: string | null;
  container_name: string | null;
  service: string | null;
  stack: string | null;
  reason: Incident['reason'];
  status: Incident['status'];
  count: number | string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  exit_code: number | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  context_json?: string;
};

/** @internal */
export type TimelineRow = {
  id: number | string;
  incident_id: string;
  ts: Timestamp;
  kind: IncidentTimelineKind;
  detail: string;
  data_json: string | null;
};

/** Every column of `incidents` but the context document. */
export const INCIDENT_COLUMNS = [
  'id',
  'endpoint_id',
  'subject_kind',
  'subject',
  'container_id',
  'container_name',
  'service',
  'stack',
  'reason',
  'status',
  'count',
  'first_seen',
  'last_seen',
  'exit_code',
  'acknowledged_at',
  'acknowledged_by',
  'resolved_at',
  'resolved_by',
];

/** A stored timestamp as ISO-8601 UTC with milliseconds. */
export function toIso(value: Timestamp): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  if (/^\d+$/.test(value)) return new Date(Number(value)).toISOString();
  return new Date(value).toISOString();
}

/** Width of `docker_events.time_nano`: string order is time order. */
export const TIME_NANO_WIDTH = 24;

export function padNano(timeNano: string): string {
  return timeNano.padStart(TIME_NANO_WIDTH, '0');
}

export function unpadNano(stored: string): string {
  return stored.replace(/^0+(?=\d)/, '');
}

export function rowToIncident(row: IncidentRow): Incident {
  const incident: Incident = {
    id: row.id,
    endpointId: row.endpoint_id,
    subjectKind: row.subject_kind,
    subject: row.subject,
    reason: row.reason,
    status: row.status,
    count: Number(row.count),
    openedAt: toIso(row.first_seen),
    lastSeenAt: toIso(row.last_seen),
  };
  if (row.container_id !== null) incident.containerId = row.container_id;
  if (row.container_name !== null) incident.containerName = row.container_name;
  if (row.service !== null) incident.service = row.service;
  if (row.stack !== null) incident.stack = row.stack;
  if (row.exit_code !== null) incident.exitCode = Number(row.exit_code);
  if (row.acknowledged_at !== null) {
    incident.acknowledgedAt = toIso(row.acknowledged_at);
  }
  if (row.acknowledged_by !== null) {
    incident.acknowledgedBy = row.acknowledged_by;
  }
  if (row.resolved_at !== null) incident.resolvedAt = toIso(row.resolved_at);
  if (row.resolved_by !== null) incident.resolvedBy = row.resolved_by;
  if (row.context_json !== undefined) {
    incident.context = JSON.parse(row.context_json);
  }
  return incident;
}

export function rowToTimeline(row: TimelineRow): IncidentTimelineEntry {
  const entry: IncidentTimelineEntry = {
    id: String(row.id),
    incidentId: row.incident_id,
    ts: toIso(row.ts),
    kind: row.kind,
    detail: row.detail,
  };
  if (row.data_json !== null) entry.data = JSON.parse(row.data_json);
  return entry;
}

export function rowToEvent(row: { event_json: string }): DockerEvent {
  return JSON.parse(row.event_json);
}

/** The incidents cursor: base64url of JSON `[openedAtIso, id]`. */
export function encodeIncidentCursor(incident: Incident): string {
  return Buffer.from(JSON.stringify([incident.openedAt, incident.id])).toString(
    'base64url',
  );
}

export function decodeIncidentCursor(cursor: string): {
  openedAt: Date;
  id: string;
} {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InputError('Invalid cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !parsed.every(p => typeof p === 'string')
  ) {
    throw new InputError('Invalid cursor');
  }
  const openedAt = new Date(parsed[0]);
  if (Number.isNaN(openedAt.getTime())) throw new InputError('Invalid cursor');
  return { openedAt, id: parsed[1] };
}

/** Whether a database error is a unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
