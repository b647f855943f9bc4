import type { EnvVar, LogLine } from './types';

/**
 * Why an incident was opened: a non-zero `die`, an `oom`, a
 * `health_status: unhealthy` of a container; or, for a Swarm service whose
 * tasks fail before a container runs (no container event at all), the class
 * of their task errors: `image_not_found`, `no_suitable_node` (placement),
 * `start_failed` (the container could not be created or started),
 * `task_rejected` (any other rejection).
 * @public
 */
export type IncidentReason =
  | 'die'
  | 'oom'
  | 'unhealthy'
  | 'image_not_found'
  | 'no_suitable_node'
  | 'start_failed'
  | 'task_rejected';

/**
 * Every {@link IncidentReason}, for validation and filters.
 * @public
 */
export const INCIDENT_REASONS: readonly IncidentReason[] = [
  'die',
  'oom',
  'unhealthy',
  'image_not_found',
  'no_suitable_node',
  'start_failed',
  'task_rejected',
];

/**
 * Where an incident is in its life.
 * @public
 */
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/**
 * What an incident is about: a plain container (by name, which survives
 * restarts) or a Swarm service (by name: its tasks' containers change with
 * every restart).
 * @public
 */
export type IncidentSubjectKind = 'container' | 'service';

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
  /**
   * For a Swarm task incident: the distinct errors (`Status.Err`) of the
   * service's failing tasks when it opened, secrets masked.
   */
  taskErrors?: string[];
  /** What could not be captured (e.g. the container was already removed). */
  errors?: string[];
};

/**
 * An incident: one per subject and reason while it is open or acknowledged;
 * a failure that repeats increments `count` and adds to the timeline.
 *
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
  /** Present on `GET /v1/incidents/:id`, not in listings. */
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
 * Filter of `GET /v1/incidents`; every field narrows.
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
 * Answer of `GET /api/portainer/v1/incidents/:id`: the incident with its
 * captured context and its timeline.
 * @public
 */
export type IncidentDetail = Incident & {
  context?: IncidentContext;
  timeline: IncidentTimelineEntry[];
};
