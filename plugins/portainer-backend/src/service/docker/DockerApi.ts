import type Dockerode from 'dockerode';
import type { Readable } from 'stream';

/** Docker's `/containers/json` entry. */
export type RawContainer = Dockerode.ContainerInfo;
/** Docker's `/containers/{id}/json`. */
export type RawContainerInspect = Dockerode.ContainerInspectInfo;
/** Docker's `/services?status=true` entry. */
export type RawService = Dockerode.Service;
/** Docker's `/version`. */
export type RawVersion = { Version?: string; ApiVersion?: string };
/** The part of Docker's `/info` Orch reads. */
export type RawInfo = {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
};

/** Query of `/containers/{id}/logs` (both streams always). */
export type LogQuery = {
  tail?: number;
  /** Docker's `seconds.nanoseconds` form. */
  since?: string;
  timestamps: boolean;
};

/**
 * The Docker Engine API calls Orch makes, whatever carries them: the local
 * socket (dockerode) or Portainer's Docker proxy. Every call takes a signal
 * that bounds it; errors are {@link DockerApiError}s.
 */
export interface DockerApi {
  version(signal: AbortSignal): Promise<RawVersion>;
  info(signal: AbortSignal): Promise<RawInfo>;
  /** Every container, stopped ones included. */
  listContainers(signal: AbortSignal): Promise<RawContainer[]>;
  inspectContainer(
    id: string,
    signal: AbortSignal,
  ): Promise<RawContainerInspect>;
  /**
   * The raw log bytes (multiplexed frames unless the container has a TTY),
   * at most `maxBytes` of them.
   */
  containerLogs(
    id: string,
    query: LogQuery,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<{ data: Buffer; truncated: boolean }>;
  /**
   * The raw log bytes, followed. `signal` aborting ends the stream; the
   * endpoint must answer within `connectTimeoutMs`.
   */
  followContainerLogs(
    id: string,
    query: LogQuery,
    signal: AbortSignal,
    connectTimeoutMs: number,
  ): Promise<Readable>;
  /** Swarm services with their task counts; a 503 outside a swarm manager. */
  listServices(signal: AbortSignal): Promise<RawService[]>;
}

/**
 * Why a Docker API call failed: the endpoint could not be reached, did not
 * answer in time, the caller went away, or it answered with an error status.
 */
export type DockerApiErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'aborted'
  | 'status';

/** A failed Docker API call. */
export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly kind: DockerApiErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

/**
 * The error for a call that failed while `signal` was aborted: a timeout
 * when the deadline fired, else the caller's own abort.
 */
export function abortError(signal: AbortSignal, what: string): DockerApiError {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError'
    ? new DockerApiError(`${what} timed out`, 'timeout')
    : new DockerApiError(`${what} was aborted`, 'aborted');
}

/**
 * A signal that aborts after `ms` (reason `TimeoutError`) or with `parent`.
 */
export function deadline(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return parent ? AbortSignal.any([timeout, parent]) : timeout;
}

/**
 * For a long-lived call: a signal that follows `lifetime` and also aborts
 * (reason `TimeoutError`) if `connected()` is not called within `ms`.
 */
export function connectDeadline(
  lifetime: AbortSignal,
  ms: number,
): { signal: AbortSignal; connected: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(lifetime.reason);
  if (lifetime.aborted) onAbort();
  else lifetime.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(new DOMException('connect timed out', 'TimeoutError')),
    ms,
  );
  controller.signal.addEventListener('abort', () => clearTimeout(timer), {
    once: true,
  });
  return { signal: controller.signal, connected: () => clearTimeout(timer) };
}

/** The message of a Docker or Portainer error body (`{message, details}`). */
export function errorMessage(body: string | Buffer | undefined): string {
  const text = body?.toString('utf8').trim() ?? '';
  try {
    const json = JSON.parse(text);
    const parts = [json?.message, json?.details].filter(
      p => typeof p === 'string' && p,
    );
    if (parts.length) return parts.join(': ').slice(0, 500);
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 500);
}
