import type {
  Incident,
  IncidentContext,
  IncidentListFilter,
  IncidentListPage,
  IncidentListResult,
  IncidentReason,
  IncidentSubjectKind,
  IncidentTimelineEntry,
} from '@internal/backstage-plugin-portainer-common';
import type { DockerEvent } from '../events/types';

export type {
  CapturedContainer,
  CapturedService,
  Incident,
  IncidentContext,
  IncidentListFilter,
  IncidentListPage,
  IncidentListResult,
  IncidentReason,
  IncidentStatus,
  IncidentSubjectKind,
  IncidentTimelineEntry,
  IncidentTimelineKind,
} from '@internal/backstage-plugin-portainer-common';

/**
 * The subject of an incident on one endpoint.
 * @public
 */
export type IncidentSubject = {
  endpointId: string;
  kind: IncidentSubjectKind;
  /** Container name or service name. */
  name: string;
  /** The container that failed last (for a service, one of its tasks). */
  containerId?: string;
  containerName?: string;
  /** Swarm service name, for `service` subjects. */
  service?: string;
  stack?: string;
};

/**
 * What opens an incident.
 * @public
 */
export type NewIncident = {
  subject: IncidentSubject;
  reason: IncidentReason;
  /** Engine time of the failure. */
  at: Date;
  exitCode?: number;
  context: IncidentContext;
  /** Timeline text of the opening entry. */
  detail: string;
  data?: Record<string, unknown>;
};

/**
 * A failure that repeats on an open incident.
 * @public
 */
export type IncidentRecurrence = {
  at: Date;
  exitCode?: number;
  containerId?: string;
  containerName?: string;
  detail: string;
  data?: Record<string, unknown>;
};

/**
 * Filter of {@link IncidentStore.listEvents}.
 * @public
 */
export type DockerEventListFilter = {
  endpointId?: string;
  containerId?: string;
  /** Inclusive lower bound, `timeNano`. */
  sinceNano?: string;
  limit?: number;
};

/**
 * Storage of Docker events and incidents. {@link DatabaseIncidentStore} is
 * the implementation; the interface lets routers be tested without a
 * database.
 * @public
 */
export interface IncidentStore {
  /**
   * Stores an event; false when it was stored already (a replay, or another
   * replica watching the same engine). Idempotent on
   * `(endpointId, timeNano, actorId, rawAction)`.
   */
  recordEvent(event: DockerEvent): Promise<boolean>;
  /**
   * Stores events in as few statements as possible; for each, whether it
   * was new (see {@link IncidentStore.recordEvent}).
   */
  recordEvents(events: DockerEvent[]): Promise<boolean[]>;
  /**
   * `timeNano` of the newest stored Docker event of an endpoint (Orch's own
   * `task` events left out): where to resume.
   */
  lastEventTime(endpointId: string): Promise<string | undefined>;
  /** Stored events, oldest first. */
  listEvents(filter?: DockerEventListFilter): Promise<DockerEvent[]>;
  /** Deletes events older than `olderThan`; returns how many. */
  pruneEvents(olderThan: Date): Promise<number>;

  /** The open or acknowledged incident of a subject and reason. */
  findActive(
    subject: Pick<IncidentSubject, 'endpointId' | 'kind' | 'name'>,
    reason: IncidentReason,
  ): Promise<Incident | undefined>;
  /**
   * Opens an incident, or, when one is already active for the subject and
   * reason (another replica was faster), records a recurrence on it.
   */
  openIncident(
    incident: NewIncident,
  ): Promise<{ incident: Incident; created: boolean }>;
  /**
   * Counts one more failure on an active incident. Undefined when the
   * incident is no longer active.
   */
  recordRecurrence(
    id: string,
    recurrence: IncidentRecurrence,
  ): Promise<Incident | undefined>;
  /** Sets the exit code of an active incident, with a timeline entry. */
  noteEvent(
    id: string,
    note: {
      at: Date;
      detail: string;
      exitCode?: number;
      data?: Record<string, unknown>;
    },
  ): Promise<void>;
  /** An incident with its context; undefined when unknown. */
  getIncident(id: string): Promise<Incident | undefined>;
  listIncidents(
    filter: IncidentListFilter,
    page: IncidentListPage,
  ): Promise<IncidentListResult>;
  /** Active incidents whose last failure is older than `lastSeenBefore`. */
  listQuietCandidates(lastSeenBefore: Date): Promise<Incident[]>;
  /** The timeline of an incident, oldest first. */
  listTimeline(incidentId: string): Promise<IncidentTimelineEntry[]>;
  /**
   * Marks an open incident acknowledged. `NotFoundError` when unknown,
   * `ConflictError` when resolved; acknowledging twice changes nothing.
   */
  acknowledge(id: string, by: string, at: Date): Promise<Incident>;
  /**
   * Resolves an open or acknowledged incident. `NotFoundError` when
   * unknown, `ConflictError` when already resolved.
   */
  resolve(id: string, by: string, at: Date, detail?: string): Promise<Incident>;
}
