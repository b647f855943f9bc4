import {
  REDACTED,
  stackOf,
  type IncidentReason,
} from '@internal/backstage-plugin-portainer-common';
import type Docker from 'dockerode';
import type { DockerEvent } from '../events/types';
import { maskSecrets, redactEnv } from './redaction';
import { withTimeout } from './withTimeout';

/**
 * Options of {@link SwarmTaskScanner}.
 * @public
 */
export type SwarmTaskScannerOptions = {
  /** The engine to scan; only a Swarm manager has tasks to list. */
  docker: Docker;
  /** Name given to every event of this engine (`local`, a connection id). */
  endpointId: string;
  /**
   * Only services with one of these labels (`key` or `key=value`, on the
   * service or its container spec), as the watcher's label filter.
   * @defaultValue every service
   */
  labels?: string[];
  /**
   * Bound on each call to the engine.
   * @defaultValue 5000
   */
  timeoutMs?: number;
};

/**
 * The reasons of a Swarm task that failed before a container ran.
 * @public
 */
export type SwarmTaskReason = Extract<
  IncidentReason,
  'image_not_found' | 'no_suitable_node' | 'start_failed' | 'task_rejected'
>;

/**
 * `action` of the `task` events the scanner makes.
 * @public
 */
export const TASK_FAILURE_ACTION = 'task_failure';

const MAX_ERROR_LENGTH = 1024;

const IMAGE_NOT_FOUND =
  /no such image|pull access denied|manifest unknown|not found: manifest|repository does not exist|failed to resolve reference|error pulling image|image .* not found/i;
const NO_SUITABLE_NODE = /no suitable node/i;
const START_FAILED =
  /starting container failed|failed to start|cannot start container|oci runtime/i;
// A container that ran and exited (or failed its healthcheck) already made
// its `die` or `health_status` event: that is the container rules' incident.
const CONTAINER_RAN = /non-zero exit|unhealthy container|task: exit/i;

/**
 * The class of a Swarm task's failure from its state and `Status.Err`, or
 * undefined when the task is not failing before a container runs (running,
 * shut down, still starting, or a container that ran and exited).
 * @public
 */
export function classifyTaskFailure(
  state: string | undefined,
  error: string | undefined,
): SwarmTaskReason | undefined {
  const err = error?.trim() ?? '';
  switch (state) {
    case 'rejected':
    case 'failed':
      break;
    case 'new':
    case 'pending':
    case 'assigned':
      // Waiting is normal; waiting with an error (placement) is not.
      if (!err) return undefined;
      break;
    default:
      return undefined;
  }
  if (CONTAINER_RAN.test(err)) return undefined;
  if (NO_SUITABLE_NODE.test(err)) return 'no_suitable_node';
  if (IMAGE_NOT_FOUND.test(err)) return 'image_not_found';
  if (START_FAILED.test(err)) return 'start_failed';
  return state === 'failed' ? 'start_failed' : 'task_rejected';
}

/** ISO-8601 with up to nanoseconds → nanoseconds since the epoch. */
function isoToNano(iso: string | undefined): string | undefined {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(
    iso ?? '',
  );
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds) || seconds <= 0) return undefined;
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
  return (BigInt(seconds) * 1_000_000n + fraction).toString();
}

function nanoToIsoString(nano: string): string {
  const n = BigInt(nano);
  const ms = new Date(Number(n / 1_000_000_000n) * 1000).toISOString();
  const fraction = (n % 1_000_000_000n).toString().padStart(9, '0');
  return `${ms.slice(0, 19)}.${fraction}Z`;
}

// Docker answers 503 on a node that is not a Swarm manager.
function notAManager(error: unknown): boolean {
  const e = error as { statusCode?: number; message?: string };
  return (
    e?.statusCode === 503 ||
    /not a swarm manager|not part of a swarm/i.test(e?.message ?? '')
  );
}

// Credentials in a registry address (`https://user:pass@host/…`).
function maskUrlCredentials(text: string): string {
  return text.replace(/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${REDACTED}@`);
}

function matchesLabels(
  filters: readonly string[],
  labels: Record<string, string>,
): boolean {
  if (filters.length === 0) return true;
  return filters.some(filter => {
    const eq = filter.indexOf('=');
    if (eq < 0) return filter in labels;
    return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
  });
}

type Failing = {
  task: any;
  reason: SwarmTaskReason;
  error: string;
  slot: string;
};

/**
 * Finds the Swarm services whose desired replicas are not running because
 * their tasks fail before a container runs (a missing image, no node that
 * fits the placement, a rejected task, a container that cannot start) and
 * turns each failing task into a `task` {@link DockerEvent} for the
 * {@link IncidentEngine}. Docker sends no event for such tasks, so this is
 * what the housekeeping pass runs on every watched engine.
 *
 * The events are idempotent (task id, time and reason), so scanning again
 * yields duplicates that the store drops: only new failed tasks count on an
 * open incident. An engine that is not a Swarm manager yields nothing.
 * @public
 */
export class SwarmTaskScanner {
  private readonly docker: Docker;
  private readonly endpointId: string;
  private readonly labels: string[];
  private readonly timeoutMs: number;

  constructor(options: SwarmTaskScannerOptions) {
    this.docker = options.docker;
    this.endpointId = options.endpointId;
    this.labels = options.labels ?? [];
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The `task` events of the failing tasks, oldest first. */
  async scan(): Promise<DockerEvent[]> {
    let services: any[];
    try {
      services = await withTimeout(
        this.docker.listServices(),
        this.timeoutMs,
        'service list',
      );
    } catch (error) {
      if (notAManager(error)) return [];
      throw error;
    }
    const watched = services.filter(s =>
      matchesLabels(this.labels, {
        ...s.Spec?.TaskTemplate?.ContainerSpec?.Labels,
        ...s.Spec?.Labels,
      }),
    );
    if (watched.length === 0) return [];
    const tasks: any[] = await withTimeout(
      this.docker.listTasks(),
      this.timeoutMs,
      'task list',
    );
    const byService = new Map<string, any[]>();
    for (const task of tasks) {
      const list = byService.get(task.ServiceID) ?? [];
      list.push(task);
      byService.set(task.ServiceID, list);
    }
    const events: DockerEvent[] = [];
    for (const service of watched) {
      events.push(...this.eventsOf(service, byService.get(service.ID) ?? []));
    }
    return events.sort((a, b) =>
      BigInt(a.timeNano) < BigInt(b.timeNano) ? -1 : 1,
    );
  }

  private eventsOf(service: any, tasks: any[]): DockerEvent[] {
    const spec = service.Spec ?? {};
    const desired: number | undefined = spec.Mode?.Replicated
      ? spec.Mode.Replicated.Replicas ?? 1
      : undefined;
    if (desired === 0) return [];
    const running = tasks.filter(
      t => t.DesiredState === 'running' && t.Status?.State === 'running',
    );
    if (desired !== undefined && running.length >= desired) return [];

    // Tasks of an older spec failed for reasons the update may have fixed.
    const since = Date.parse(service.UpdatedAt ?? service.CreatedAt ?? '');
    const { secrets } = redactEnv(spec.TaskTemplate?.ContainerSpec?.Env);
    const mask = (err: string) =>
      maskUrlCredentials(maskSecrets(err, secrets)).slice(0, MAX_ERROR_LENGTH);

    const slotsRunning = new Set(running.map(slotOf));
    const failing: Failing[] = [];
    for (const task of tasks) {
      const slot = slotOf(task);
      // A slot that runs again has recovered: its failures are history.
      if (slotsRunning.has(slot)) continue;
      const state: string | undefined = task.Status?.State;
      const err: string | undefined = task.Status?.Err;
      const reason = classifyTaskFailure(state, err);
      if (!reason) continue;
      const stamp = Date.parse(task.Status?.Timestamp ?? task.CreatedAt ?? '');
      if (!Number.isNaN(since) && stamp < since) continue;
      failing.push({ task, reason, error: mask(err ?? state ?? ''), slot });
    }
    if (failing.length === 0) return [];

    const errorsOf = new Map<SwarmTaskReason, string[]>();
    for (const f of failing) {
      const errors = errorsOf.get(f.reason) ?? [];
      if (!errors.includes(f.error)) errors.push(f.error);
      errorsOf.set(f.reason, errors);
    }
    const labels: Record<string, string> = {
      ...spec.TaskTemplate?.ContainerSpec?.Labels,
      ...spec.Labels,
    };
    const stack = stackOf(labels);
    const events: DockerEvent[] = [];
    for (const f of failing) {
      // A task that waits keeps its timestamp moving: its creation names it.
      const pending =
        f.task.Status?.State !== 'rejected' &&
        f.task.Status?.State !== 'failed';
      const timeNano = isoToNano(
        pending
          ? f.task.CreatedAt
          : f.task.Status?.Timestamp ?? f.task.CreatedAt,
      );
      if (!timeNano) continue;
      events.push({
        endpointId: this.endpointId,
        time: nanoToIsoString(timeNano),
        timeNano,
        type: 'task',
        action: TASK_FAILURE_ACTION,
        rawAction: `${TASK_FAILURE_ACTION}: ${f.reason}`,
        actorId: f.task.ID,
        serviceName: spec.Name,
        ...(stack ? { stack } : {}),
        ...(spec.TaskTemplate?.ContainerSpec?.Image
          ? { image: String(spec.TaskTemplate.ContainerSpec.Image) }
          : {}),
        task: {
          state: f.task.Status?.State ?? 'unknown',
          error: f.error,
          slot: f.slot,
          errors: errorsOf.get(f.reason) ?? [],
        },
        labels: { ...labels, 'com.docker.swarm.service.id': service.ID },
      });
    }
    return events;
  }
}

function slotOf(task: any): string {
  return task.Slot !== undefined
    ? String(task.Slot)
    : String(task.NodeID ?? '');
}
