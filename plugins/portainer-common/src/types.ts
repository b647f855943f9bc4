/**
 * Where an endpoint's Docker API is reached: the Docker socket of the
 * machine Orch runs on, or a Portainer environment through Portainer's
 * Docker proxy (`/api/endpoints/{id}/docker/...`).
 * @public
 */
export type EndpointKind = 'local' | 'portainer';

/**
 * The part a Docker engine plays in a Swarm: `none` outside any swarm.
 * @public
 */
export type SwarmRole = 'manager' | 'worker' | 'none';

/**
 * What the last probe of an endpoint found.
 * @public
 */
export type EndpointStatus = {
  /** Whether the Docker API answered the probe in time. */
  reachable: boolean;
  /** Docker engine version, e.g. `20.10.24`. */
  version?: string;
  /** Docker API version, e.g. `1.41`. */
  apiVersion?: string;
  swarmRole?: SwarmRole;
  /** Portainer's own version, for `portainer` endpoints. */
  portainerVersion?: string;
  /** When the probe ran, ISO-8601 UTC. */
  checkedAt: string;
  /** How long the probe took. */
  latencyMs?: number;
  /**
   * For `local`: nothing answers on the socket (no Docker engine runs);
   * the endpoint's `error` says how to start one.
   */
  noEngine?: boolean;
};

/**
 * A Docker endpoint Orch can watch. `id` is `local` for the Docker socket
 * and the connection id for a Portainer connection.
 * @public
 */
export type Endpoint = {
  id: string;
  /** `local`, or the name of the Portainer connection. */
  name: string;
  kind: EndpointKind;
  /** Environment of the Portainer connection (`prod`, `stage`, …). */
  environment?: string;
  /** Base URL of Portainer (never with credentials). */
  url?: string;
  /** Portainer's id of the environment this endpoint proxies to. */
  portainerEndpointId?: number;
  status: EndpointStatus;
  /**
   * Why the endpoint is unreachable, naming it; for `local` with no engine
   * behind its socket, the one line saying how to start one.
   */
  error?: string;
};

/**
 * Answer of `GET /api/portainer/v1/endpoints`. `errors` names sources of
 * endpoints that could not be listed: `orch` (the orch plugin's
 * connections) or `local` (no Docker socket, the message saying how to
 * start an engine).
 * @public
 */
export type EndpointList = {
  items: Endpoint[];
  errors?: Array<{ source: string; message: string }>;
};

/**
 * Docker's container states.
 * @public
 */
export const CONTAINER_STATES = [
  'created',
  'restarting',
  'running',
  'removing',
  'paused',
  'exited',
  'dead',
] as const;

/**
 * One of {@link CONTAINER_STATES}.
 * @public
 */
export type ContainerState = (typeof CONTAINER_STATES)[number];

/**
 * A container's healthcheck status; `none` when it has no healthcheck.
 * @public
 */
export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

/**
 * A published or exposed port.
 * @public
 */
export type ContainerPort = {
  privatePort: number;
  publicPort?: number;
  type: string;
  ip?: string;
};

/**
 * One container of a listing.
 * @public
 */
export type ContainerSummary = {
  id: string;
  /** Name without Docker's leading slash. */
  name: string;
  image: string;
  state: ContainerState;
  /** Docker's human status, e.g. `Up 5 minutes (healthy)`. */
  status: string;
  health: ContainerHealth;
  /**
   * From inspecting the container: present when the listing is `detailed`
   * (see {@link ContainerList}).
   */
  restartCount?: number;
  /** Exit code of the last run, for exited containers of a detailed listing. */
  exitCode?: number;
  /** Swarm stack or Compose project, from the container's labels. */
  stack?: string;
  /** Swarm service or Compose service, from the container's labels. */
  service?: string;
  /** Labels; values of secret-looking keys are redacted. */
  labels: Record<string, string>;
  ports: ContainerPort[];
  /** ISO-8601 UTC. */
  created: string;
  /** When the current run started, ISO-8601 UTC: in a detailed listing. */
  started?: string;
};

/**
 * Answer of `GET /api/portainer/v1/containers`. When the endpoint cannot be
 * reached but an earlier listing is cached, that listing comes back with
 * `stale: true`, its age, and the error.
 * @public
 */
export type ContainerList = {
  endpointId: string;
  items: ContainerSummary[];
  /** When the listing was read from the endpoint, ISO-8601 UTC. */
  fetchedAt: string;
  stale: boolean;
  /** Seconds since `fetchedAt`. */
  ageSeconds: number;
  /**
   * Whether `restartCount`, `exitCode` and `started` were filled by
   * inspecting each container (only for listings up to a configured size).
   */
  detailed: boolean;
  /** Why a stale listing was served. */
  error?: string;
};

/**
 * One environment variable of a container. Values of secret-looking keys
 * (and passwords inside URLs) are replaced by `********`.
 * @public
 */
export type EnvVar = { name: string; value: string; redacted: boolean };

/**
 * A mount of a container.
 * @public
 */
export type ContainerMount = {
  type: string;
  source?: string;
  destination: string;
  readOnly: boolean;
};

/**
 * `GET /api/portainer/v1/containers/:id`: the container's spec and state,
 * secrets redacted.
 * @public
 */
export type ContainerDetail = ContainerSummary & {
  endpointId: string;
  imageId?: string;
  command: string[];
  entrypoint: string[];
  env: EnvVar[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  tty: boolean;
  restartPolicy?: { name: string; maximumRetryCount?: number };
  /** Memory limit in bytes; 0 for none. */
  memoryLimit: number;
  /** CPU limit in CPUs (NanoCpus / 1e9); 0 for none. */
  cpuLimit: number;
  healthcheck?: { test: string[]; intervalNs?: number; retries?: number };
  mounts: ContainerMount[];
  networks: string[];
  stateDetail: {
    running: boolean;
    paused: boolean;
    restarting: boolean;
    oomKilled: boolean;
    dead: boolean;
    pid: number;
    exitCode: number;
    error?: string;
    startedAt?: string;
    finishedAt?: string;
    /** The last healthcheck outputs, newest last. */
    healthLog?: Array<{ exitCode: number; output: string; end?: string }>;
  };
};

/**
 * One line of container output. `ts` (RFC 3339 with nanoseconds, as Docker
 * writes it) is present when timestamps were asked for, and always in the
 * live stream.
 * @public
 */
export type LogLine = {
  ts?: string;
  stream: 'stdout' | 'stderr';
  line: string;
};

/**
 * Answer of `GET /api/portainer/v1/containers/:id/logs`.
 * @public
 */
export type ContainerLogs = {
  endpointId: string;
  containerId: string;
  lines: LogLine[];
  /** Set when the output was cut at the size limit. */
  truncated: boolean;
};

/**
 * A Swarm stack or Compose project. `source` says where it was found:
 * Portainer's own stack list, or the labels of containers and services
 * (stacks deployed outside Portainer, and every stack of `local`).
 * @public
 */
export type Stack = {
  name: string;
  type: 'swarm' | 'compose';
  source: 'portainer' | 'labels';
  /** Portainer's stack id. */
  portainerId?: number;
  /** Portainer's stack status. */
  status?: 'active' | 'inactive';
  /** Counts from the endpoint's services and containers. */
  services: number;
  containers: number;
  running: number;
  createdAt?: string;
  updatedAt?: string;
};

/**
 * A Swarm service.
 * @public
 */
export type Service = {
  id: string;
  name: string;
  image: string;
  mode: 'replicated' | 'global' | 'other';
  /** Desired replicas of a replicated service. */
  replicas?: number;
  runningTasks?: number;
  desiredTasks?: number;
  stack?: string;
  /** Labels; values of secret-looking keys are redacted. */
  labels: Record<string, string>;
  createdAt?: string;
  updatedAt?: string;
  /** State of the last rolling update, e.g. `completed`, `rollback_completed`. */
  updateState?: string;
};

/**
 * Answer of `GET /api/portainer/v1/stacks` and `/services`. `swarm` is false
 * when the endpoint is not a Swarm manager (no services to list).
 * @public
 */
export type ItemList<T> = {
  endpointId: string;
  items: T[];
  swarm: boolean;
};
