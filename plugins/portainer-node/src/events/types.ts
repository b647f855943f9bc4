/**
 * A Docker engine event, parsed and typed. The watcher produces container
 * and service events (see {@link DEFAULT_EVENT_FILTERS}); `task` events are
 * Orch's own, made by {@link SwarmTaskScanner} from a Swarm task that failed
 * before any container ran (Docker sends no event for those).
 *
 * Times come from the engine's clock. `timeNano` is kept as a decimal string
 * because nanoseconds since the epoch exceed `Number.MAX_SAFE_INTEGER`.
 * @public
 */
export type DockerEvent = {
  /** The endpoint (Docker engine) the event came from, as the watcher names it. */
  endpointId: string;
  /** ISO-8601 UTC with nanoseconds, e.g. `2026-11-26T01:16:01.827346466Z`. */
  time: string;
  /** Nanoseconds since the epoch, exact, as a decimal string. */
  timeNano: string;
  /** Docker's object type, `container` or `service`; or Orch's `task`. */
  type: 'container' | 'service' | 'task';
  /**
   * Docker's action without its detail: `die`, `oom`, `kill`, `restart`,
   * `start`, `health_status`, `update`, `remove`, …
   */
  action: string;
  /** The action exactly as Docker sent it, e.g. `health_status: unhealthy`. */
  rawAction: string;
  /** Id of the object (container, service or task id). */
  actorId: string;
  /** For container events: the container id (same as `actorId`). */
  containerId?: string;
  /** For container events: the container name, without Docker's `/`. */
  containerName?: string;
  /**
   * The Swarm service: the service's name for service events, the
   * `com.docker.swarm.service.name` label for a task's container.
   */
  serviceName?: string;
  /** Stack (Swarm namespace or Compose project) from the labels. */
  stack?: string;
  /** Image of the container. */
  image?: string;
  /** Exit code of a `die`. */
  exitCode?: number;
  /** Signal number of a `kill`, as Docker sends it (e.g. `15`). */
  signal?: string;
  /** Health of a `health_status` event. */
  health?: 'healthy' | 'unhealthy' | 'starting';
  /** For `task` events: what the task's failure says. */
  task?: SwarmTaskFailure;
  /**
   * The object's labels: every attribute Docker sent except its own keys
   * (`name`, `image`, `exitCode`, `signal`, …).
   */
  labels: Record<string, string>;
};

/**
 * A Swarm task that failed before a container ran, as a `task` event
 * carries it.
 * @public
 */
export type SwarmTaskFailure = {
  /** The task's state: `rejected`, `failed`, `pending`, … */
  state: string;
  /** The task's error (`Status.Err`), secrets masked. */
  error: string;
  /** The task's slot (replicated) or node id (global). */
  slot?: string;
  /**
   * The distinct errors of the service's failing tasks of the same class at
   * the scan, secrets masked: the evidence of an incident that opens.
   */
  errors: string[];
};

/**
 * Filters of Docker's `/events` endpoint, as dockerode takes them.
 * @public
 */
export type DockerEventFilters = {
  type?: string[];
  event?: string[];
  label?: string[];
  container?: string[];
  service?: string[];
};

/**
 * What the watcher asks Docker for by default: container failures and the
 * events around them, and service changes. `health_status` matches every
 * `health_status: …` action; healthcheck `exec_*` noise is left out.
 * @public
 */
export const DEFAULT_EVENT_FILTERS: DockerEventFilters = {
  type: ['container', 'service'],
  event: [
    'die',
    'oom',
    'kill',
    'restart',
    'start',
    'health_status',
    'update',
    'remove',
  ],
};
