import type {
  EnvVar,
  IncidentReason,
  IncidentStatus,
  LogLine,
} from '@internal/backstage-plugin-portainer-common';
import type { DockerEvent } from '../events/types';

export type { IncidentReason, IncidentStatus };

/**
 * What an incident is about: a plain container (by name, which survives
 * restarts) or a Swarm service (by name: its tasks' containers change with
 * every restart).
 * @public
 */
export type IncidentSubjectKind = 'container' | 'service';

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
 * A container as captured when an incident opened: spec and state, with the
 * values of secret-looking environment variables, labels and arguments
 * replaced by `********`.
 * @public
 */
export type CapturedContainer = {
  id: string;
  name: string;
  image: string;
  imageId?: string;
  command: string[];
  entrypoint: string[];
  labels: Record<string, string>;
  env: EnvVar[];
  restartPolicy?: { name: string; maximumRetryCount?: number };
  restartCount: number;
  /** Memory limit in bytes; 0 for none. */
  memoryLimit: number;
  healthcheck?: { test: string[]; intervalNs?: number; retries?: number };
  state: {
    status: string;
    exitCode: number;
    oomKilled: boolean;
    error?: string;
    startedAt?: string;
    finishedAt?: string;
    health?: string;
    /** The last healthcheck results, newest last. */
    healthLog?: Array<{ exitCode: number; output: string; end?: string }>;
  };
};

/**
 * A Swarm service as captured when an incident opened, secrets redacted.
 * @public
 */
export type CapturedService = {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  env: EnvVar[];
  mode: 'replicated' | 'global' | 'other';
  replicas?: number;
  updatedAt?: string;
};

/**
 * What an incident captured when it opened. Stored as a document, for the
 * incident page and for the AI's index.
 * @public
 */
export type IncidentContext = {
  /** When the context was captured, ISO-8601 UTC. */
  capturedAt: string;
  /** The last log lines of the failed container, secrets masked. */
  logs: LogLine[];
  container?: CapturedContainer;
  service?: CapturedService;
  stack?: string;
  /**
   * Orch jobs related to the subject: from the `orch.job.id` labels that
   * `swarm_deploy` puts on what it deploys, and from the engine's
   * `relatedJobs` lookup.
   */
  relatedJobIds: string[];
  /** What could not be captured (e.g. the container was already removed). */
  errors?: string[];
};

/**
 * An incident: one per subject and reason while it is open or acknowledged;
 * a failure that repeats increments `count` and adds to the timeline.
 *
 * Carries the fields of portainer-common's `Incident` (`containerId`,
 * `containerName`, `service`, `openedAt`, `lastSeenAt`, …) so that it can be
 * answered where that type is expected.
 * @public
 */
export type Incident = {
  id: string;
  endpointId: string;
  subjectKind: IncidentSubjectKind;
  /** Container name or service name. */
  subject: string;
  reason: IncidentReason;
  status: IncidentStatus;
  /** Failures seen while open, the first included. */
  count: number;
  containerId?: string;
  containerName?: string;
  service?: string;
  stack?: string;
  /** Exit code of the last `die`, when there was one. */
  exitCode?: number;
  /** When the first failure happened (engine time), ISO-8601 UTC. */
  openedAt: string;
  /** When the last failure happened (engine time), ISO-8601 UTC. */
  lastSeenAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  /** Present on {@link IncidentStore.getIncident}, not in listings. */
  context?: IncidentContext;
};

/**
 * What happened to an incident, in order.
 * @public
 */
export type IncidentTimelineKind =
  | 'opened'
  | 'recurred'
  | 'event'
  | 'acknowledged'
  | 'resolved';

/**
 * One entry of an incident's timeline.
 * @public
 */
export type IncidentTimelineEntry = {
  id: string;
  incidentId: string;
  /** ISO-8601 UTC. */
  ts: string;
  kind: IncidentTimelineKind;
  /** One sentence for people. */
  detail: string;
  /** Structured facts (exit code, container id, Docker action, actor…). */
  data?: Record<string, unknown>;
};

/**
 * Filter of {@link IncidentStore.listIncidents}; every field narrows.
 * @public
 */
export type IncidentListFilter = {
  status?: IncidentStatus | IncidentStatus[];
  endpointId?: string;
  stack?: string;
  reason?: IncidentReason;
};

/**
 * A page request: `cursor` is the `nextCursor` of the previous page.
 * @public
 */
export type IncidentListPage = { cursor?: string; limit: number };

/**
 * One page of incidents, newest opened first.
 * @public
 */
export type IncidentListResult = { items: Incident[]; nextCursor?: string };

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
  /** `timeNano` of the newest stored event of an endpoint: where to resume. */
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
