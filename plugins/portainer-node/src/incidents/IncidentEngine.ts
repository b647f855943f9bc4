import type { LoggerService } from '@backstage/backend-plugin-api';
import type { DockerEvent } from '../events/types';
import type { ContextCollector } from './ContextCollector';
import { TASK_FAILURE_ACTION, type SwarmTaskReason } from './SwarmTaskScanner';
import type {
  Incident,
  IncidentContext,
  IncidentReason,
  IncidentStore,
  IncidentSubject,
} from './types';

/**
 * Options of {@link IncidentEngine}.
 * @public
 */
export type IncidentEngineOptions = {
  store: IncidentStore;
  /**
   * The collector of an endpoint's engine; undefined for an endpoint the
   * engine does not know (its events are stored, incidents open without
   * context, and quiet resolution skips them).
   */
  collectors: (endpointId: string) => ContextCollector | undefined;
  /**
   * How long a subject must stay up and healthy, with no new failure, before
   * {@link IncidentEngine.resolveQuiet} resolves its incident.
   * @defaultValue 300000 (5 minutes)
   */
  quietPeriodMs?: number;
  /**
   * How long after a `kill` a container's exit counts as a deliberate stop
   * (`docker stop`, `docker rm -f`, a Swarm update) rather than a failure.
   * @defaultValue 60000
   */
  stopWindowMs?: number;
  /**
   * Called after an incident opened (the plugin sends a notification).
   * Errors are logged, never thrown back.
   */
  onOpened?: (incident: Incident) => Promise<void> | void;
  /**
   * More related Orch jobs for a failing subject, beside those its labels
   * name (e.g. recent jobs of the orch job store that deployed the stack).
   */
  relatedJobs?: (query: {
    endpointId: string;
    stack?: string;
    service?: string;
    at: Date;
  }) => Promise<string[]>;
  logger?: LoggerService;
  /** @defaultValue `() => new Date()` */
  now?: () => Date;
};

/**
 * What {@link IncidentEngine.handle} did with an event: `duplicate`, it was
 * stored already (a replay, another replica); `stored`, it changed no
 * incident; `opened`, `recurred`, it opened or counted on an incident;
 * `noted`, it added to an active incident's timeline; `failed`, the rules
 * failed on it after retries (logged; the event is stored).
 * @public
 */
export type IncidentEngineOutcome =
  | { kind: 'duplicate' }
  | { kind: 'stored' }
  | { kind: 'opened'; incident: Incident }
  | { kind: 'recurred'; incident: Incident }
  | { kind: 'noted'; incidentId: string }
  | { kind: 'failed'; error: string };

/** User name written as `resolvedBy` by quiet-period resolution. */
export const QUIET_RESOLVER = 'orch:quiet-period';

// Signals that stop a container: TERM, KILL, INT, QUIT (nginx's stop signal).
const STOP_SIGNALS = new Set([
  '2',
  '3',
  '9',
  '15',
  'SIGINT',
  'SIGQUIT',
  'SIGKILL',
  'SIGTERM',
]);
const OOM_EXIT_CODE = 137;
const TASK_REASONS = new Set<string>([
  'image_not_found',
  'no_suitable_node',
  'start_failed',
  'task_rejected',
] satisfies SwarmTaskReason[]);
const RULE_ATTEMPTS = 3;

type Recent = { at: number; signal?: string };

/**
 * The rules that turn Docker events into incidents.
 *
 * - A `die` with a non-zero exit code, an `oom`, and a
 *   `health_status: unhealthy` open an incident on the subject: the
 *   container, or the Swarm service of a task's container.
 * - While an incident is open or acknowledged, the same failure of the same
 *   subject counts on it (`count`, `lastSeenAt`, a timeline entry) instead
 *   of opening another.
 * - The `die` that follows an `oom` is folded into the `oom` incident; a
 *   `die` 137 whose container Docker marks OOM-killed is an `oom` too (Docker
 *   sends no `oom` event when the limit is hit before it watches memory).
 * - A `die` shortly after a stopping `kill` is a deliberate stop, not a failure.
 * - A `task` event (a Swarm task that failed before a container ran, from
 *   {@link SwarmTaskScanner}) opens an incident on its service with the
 *   task error's class as reason, the distinct task errors as evidence.
 * - Context (logs, redacted spec, related jobs) is captured once, when an
 *   incident opens.
 *
 * Feed it every event of every watcher: `onEvent: e => engine.handle(e)`.
 * Events of one endpoint must be handled in order (the watcher does that).
 * @public
 */
export class IncidentEngine {
  private readonly store: IncidentStore;
  private readonly quietPeriodMs: number;
  private readonly stopWindowMs: number;
  private readonly now: () => Date;
  private readonly kills = new Map<string, Recent>();
  private readonly ooms = new Map<string, Recent>();

  constructor(private readonly options: IncidentEngineOptions) {
    this.store = options.store;
    this.quietPeriodMs = options.quietPeriodMs ?? 300_000;
    this.stopWindowMs = options.stopWindowMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Stores an event and applies the rules to it. */
  async handle(event: DockerEvent): Promise<IncidentEngineOutcome> {
    const [outcome] = await this.handleBatch([event]);
    return outcome;
  }

  /**
   * Stores events in one go, then applies the rules to the new ones, in
   * order. What a busy engine should be fed (the watcher's `onEvents`): most
   * events change no incident and then cost one shared insert.
   */
  async handleBatch(events: DockerEvent[]): Promise<IncidentEngineOutcome[]> {
    const fresh = await this.store.recordEvents(events);
    const outcomes: IncidentEngineOutcome[] = [];
    for (let i = 0; i < events.length; i++) {
      outcomes.push(
        fresh[i] ? await this.applyWithRetry(events[i]) : { kind: 'duplicate' },
      );
    }
    return outcomes;
  }

  // The event is stored now, so a redelivery would be taken for a duplicate:
  // the rules get their retries here.
  private async applyWithRetry(
    event: DockerEvent,
  ): Promise<IncidentEngineOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.apply(event);
      } catch (error) {
        if (attempt >= RULE_ATTEMPTS) {
          const message = (error as Error).message;
          this.options.logger?.error(
            `Docker event ${event.rawAction} of ${event.actorId} at ${event.time} (${event.endpointId}) not applied: ${message}`,
          );
          return { kind: 'failed', error: message };
        }
        await new Promise(r => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async apply(event: DockerEvent): Promise<IncidentEngineOutcome> {
    if (event.type === 'task') return this.onTaskFailure(event);
    if (event.type !== 'container' || !event.containerId) {
      return { kind: 'stored' };
    }
    const at = Number(BigInt(event.timeNano) / 1_000_000n);
    this.forget(at);
    const id = event.containerId;
    switch (event.action) {
      case 'start':
        // A new run: what happened to the previous one no longer explains
        // the next exit.
        this.kills.delete(id);
        this.ooms.delete(id);
        return { kind: 'stored' };
      case 'kill':
        this.kills.set(id, { at, signal: event.signal });
        return { kind: 'stored' };
      case 'oom':
        this.ooms.set(id, { at });
        return this.failure(event, 'oom', 'ran out of memory (oom)');
      case 'die':
        return this.onDie(event);
      case 'health_status':
        if (event.health === 'unhealthy') {
          return this.failure(event, 'unhealthy', 'became unhealthy');
        }
        if (event.health === 'healthy') {
          return this.note(event, 'unhealthy', 'became healthy again');
        }
        return { kind: 'stored' };
      case 'restart':
        return this.note(event, undefined, 'was restarted');
      default:
        return { kind: 'stored' };
    }
  }

  /**
   * Resolves the active incidents whose subject has been up and healthy, with
   * no new failure, for the quiet period; and those whose container or
   * service no longer exists. Returns the incidents it resolved. Run it on a
   * schedule; safe on several replicas at once.
   */
  async resolveQuiet(now: Date = this.now()): Promise<Incident[]> {
    const candidates = await this.store.listQuietCandidates(
      new Date(now.getTime() - this.quietPeriodMs),
    );
    const resolved: Incident[] = [];
    for (const incident of candidates) {
      const collector = this.options.collectors(incident.endpointId);
      if (!collector) continue;
      const state = await collector.probe(subjectOf(incident), {
        now,
        quietPeriodMs: this.quietPeriodMs,
      });
      let detail: string | undefined;
      if (state === 'healthy') {
        detail = `Resolved automatically: ${incident.subject} has been up${
          incident.reason === 'unhealthy' ? ' and healthy' : ''
        } with no failure for ${Math.round(this.quietPeriodMs / 1000)} s`;
      } else if (state === 'gone') {
        detail = `Resolved automatically: the ${incident.subjectKind} ${incident.subject} no longer exists`;
      }
      if (!detail) continue;
      try {
        resolved.push(
          await this.store.resolve(incident.id, QUIET_RESOLVER, now, detail),
        );
      } catch (error) {
        // Resolved by hand or by another replica in the meantime.
        this.options.logger?.debug(
          `incident ${incident.id} not auto-resolved: ${
            (error as Error).message
          }`,
        );
      }
    }
    return resolved;
  }

  /**
   * Acknowledges an incident: someone is on it. `NotFoundError` when
   * unknown, `ConflictError` when resolved.
   */
  async ack(id: string, by: string): Promise<Incident> {
    return this.store.acknowledge(id, by, this.now());
  }

  /**
   * Resolves an incident by hand. `NotFoundError` when unknown,
   * `ConflictError` when already resolved.
   */
  async resolve(id: string, by: string): Promise<Incident> {
    return this.store.resolve(id, by, this.now());
  }

  private async onTaskFailure(
    event: DockerEvent,
  ): Promise<IncidentEngineOutcome> {
    const reason = event.rawAction.slice(
      TASK_FAILURE_ACTION.length + 2,
    ) as SwarmTaskReason;
    if (
      event.action !== TASK_FAILURE_ACTION ||
      !event.task ||
      !event.serviceName ||
      !TASK_REASONS.has(reason)
    ) {
      return { kind: 'stored' };
    }
    const verb: Record<string, string> = {
      rejected: 'was rejected',
      failed: 'failed to start',
    };
    return this.failure(
      event,
      reason,
      `${verb[event.task.state] ?? `is ${event.task.state}`}: ${
        event.task.error
      }`,
    );
  }

  private async onDie(event: DockerEvent): Promise<IncidentEngineOutcome> {
    const id = event.containerId!;
    const exitCode = event.exitCode;
    const oom = this.ooms.get(id);
    const kill = this.kills.get(id);
    this.ooms.delete(id);
    this.kills.delete(id);
    if (oom) {
      return this.note(
        event,
        'oom',
        `exited with code ${exitCode ?? 'unknown'} after running out of memory`,
        exitCode,
      );
    }
    if (exitCode === undefined || exitCode === 0) {
      return { kind: 'stored' };
    }
    if (kill && kill.signal !== undefined && STOP_SIGNALS.has(kill.signal)) {
      return this.note(
        event,
        undefined,
        `was stopped (signal ${kill.signal}), exit code ${exitCode}`,
      );
    }
    if (exitCode === OOM_EXIT_CODE) {
      const collector = this.options.collectors(event.endpointId);
      if (await collector?.wasOomKilled(id)) {
        return this.failure(
          event,
          'oom',
          `was killed for running out of memory (exit code ${exitCode})`,
          exitCode,
        );
      }
    }
    return this.failure(event, 'die', `exited with code ${exitCode}`, exitCode);
  }

  private async failure(
    event: DockerEvent,
    reason: IncidentReason,
    what: string,
    exitCode?: number,
  ): Promise<IncidentEngineOutcome> {
    const subject = subjectOfEvent(event);
    const at = new Date(Number(BigInt(event.timeNano) / 1_000_000n));
    const detail = `${describe(subject, event)} ${what}`;
    const data = eventData(event);
    const active = await this.store.findActive(subject, reason);
    if (active) {
      const incident = await this.store.recordRecurrence(active.id, {
        at,
        exitCode,
        containerId: subject.containerId,
        containerName: subject.containerName,
        detail,
        data,
      });
      if (incident) return { kind: 'recurred', incident };
      // Resolved meanwhile: this failure opens a new one.
    }
    const context = await this.collect(subject, event, at);
    const { incident, created } = await this.store.openIncident({
      subject,
      reason,
      at,
      exitCode,
      context,
      detail,
      data,
    });
    if (!created) return { kind: 'recurred', incident };
    this.options.logger?.info(
      `Incident ${incident.id} opened: ${detail} (${event.endpointId})`,
    );
    if (this.options.onOpened) {
      try {
        await this.options.onOpened(incident);
      } catch (error) {
        this.options.logger?.error(
          `onOpened failed for incident ${incident.id}: ${
            (error as Error).message
          }`,
        );
      }
    }
    return { kind: 'opened', incident };
  }

  /**
   * Adds a timeline entry to the subject's active incident of `reason` (any
   * reason when undefined), if there is one.
   */
  private async note(
    event: DockerEvent,
    reason: IncidentReason | undefined,
    what: string,
    exitCode?: number,
  ): Promise<IncidentEngineOutcome> {
    const subject = subjectOfEvent(event);
    const reasons: IncidentReason[] = reason
      ? [reason]
      : ['die', 'oom', 'unhealthy'];
    const at = new Date(Number(BigInt(event.timeNano) / 1_000_000n));
    let noted: string | undefined;
    for (const r of reasons) {
      const active = await this.store.findActive(subject, r);
      if (!active) continue;
      await this.store.noteEvent(active.id, {
        at,
        detail: `${describe(subject, event)} ${what}`,
        exitCode,
        data: eventData(event),
      });
      noted = noted ?? active.id;
    }
    return noted ? { kind: 'noted', incidentId: noted } : { kind: 'stored' };
  }

  private async collect(
    subject: IncidentSubject,
    event: DockerEvent,
    at: Date,
  ): Promise<IncidentContext> {
    const collector = this.options.collectors(event.endpointId);
    const context: IncidentContext = collector
      ? await collector.collect({ subject, event }).catch(error => ({
          capturedAt: this.now().toISOString(),
          logs: [],
          relatedJobIds: [],
          errors: [`context: ${(error as Error).message}`],
        }))
      : {
          capturedAt: this.now().toISOString(),
          logs: [],
          relatedJobIds: [],
          errors: [`no collector for endpoint ${event.endpointId}`],
        };
    if (event.task) context.taskErrors = event.task.errors;
    if (this.options.relatedJobs) {
      try {
        const more = await this.options.relatedJobs({
          endpointId: subject.endpointId,
          stack: subject.stack,
          service: subject.service,
          at,
        });
        context.relatedJobIds = [
          ...new Set([...context.relatedJobIds, ...more]),
        ];
      } catch (error) {
        (context.errors ??= []).push(
          `related jobs: ${(error as Error).message}`,
        );
      }
    }
    return context;
  }

  // Kill and oom marks only matter for the exit that follows them; sweep
  // the marks of containers that never exited once there are many.
  private forget(now: number) {
    for (const marks of [this.kills, this.ooms]) {
      if (marks.size < 1000) continue;
      for (const [id, mark] of marks) {
        if (now - mark.at > this.stopWindowMs) marks.delete(id);
      }
    }
  }
}

function subjectOfEvent(event: DockerEvent): IncidentSubject {
  const subject: IncidentSubject = event.serviceName
    ? { endpointId: event.endpointId, kind: 'service', name: event.serviceName }
    : {
        endpointId: event.endpointId,
        kind: 'container',
        name: event.containerName ?? event.actorId,
      };
  if (event.containerId) subject.containerId = event.containerId;
  if (event.containerName) subject.containerName = event.containerName;
  if (event.serviceName) subject.service = event.serviceName;
  if (event.stack) subject.stack = event.stack;
  return subject;
}

function subjectOf(incident: Incident): IncidentSubject {
  const subject: IncidentSubject = {
    endpointId: incident.endpointId,
    kind: incident.subjectKind,
    name: incident.subject,
  };
  if (incident.containerId) subject.containerId = incident.containerId;
  if (incident.containerName) subject.containerName = incident.containerName;
  if (incident.service) subject.service = incident.service;
  if (incident.stack) subject.stack = incident.stack;
  return subject;
}

function describe(subject: IncidentSubject, event: DockerEvent): string {
  if (event.task) {
    return `Service ${subject.name} (task ${
      event.task.slot && event.task.slot.length < 12
        ? `in slot ${event.task.slot}`
        : event.actorId.slice(0, 12)
    })`;
  }
  if (subject.kind === 'service') {
    return `Service ${subject.name} (container ${
      event.containerName ?? event.actorId.slice(0, 12)
    })`;
  }
  return `Container ${subject.name}`;
}

function eventData(event: DockerEvent): Record<string, unknown> {
  const data: Record<string, unknown> = {
    action: event.rawAction,
    containerId: event.containerId,
    time: event.time,
  };
  if (event.exitCode !== undefined) data.exitCode = event.exitCode;
  if (event.signal !== undefined) data.signal = event.signal;
  if (event.task) {
    delete data.containerId;
    data.taskId = event.actorId;
    data.taskState = event.task.state;
    data.taskError = event.task.error;
  }
  return data;
}
