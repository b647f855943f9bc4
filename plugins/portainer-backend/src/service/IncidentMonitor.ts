import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_EVENT_FILTERS,
  DockerContextCollector,
  DockerEventWatcher,
  IncidentEngine,
  SwarmTaskScanner,
  type DockerEvent,
  type DockerEventFilters,
  type Incident,
  type IncidentsConfig,
  type IncidentStore,
} from '@internal/backstage-plugin-portainer-node';
import Docker from 'dockerode';
import { existsSync } from 'fs';
import type { DockerConnection } from './OrchConnections';

/** Where a watched engine came from. */
export type WatchedEngineKind = 'local' | 'docker';

/** The state of one watched engine, for `GET /v1/incidents/watchers`. */
export type WatchedEngine = {
  endpointId: string;
  name: string;
  kind: WatchedEngineKind;
  connected: boolean;
  received: number;
  handled: number;
  dropped: number;
  connections: number;
  lastError?: string;
};

type Entry = {
  name: string;
  kind: WatchedEngineKind;
  /** What the watcher was built from: a change restarts it. */
  key: string;
  watcher: DockerEventWatcher;
  collector: DockerContextCollector;
  scanner: SwarmTaskScanner;
  /** The task scan under way, if any (one at a time per engine). */
  scanning?: Promise<void>;
  connected: boolean;
  lastError?: string;
};

/**
 * Turns the Docker events of every watched engine into incidents: one
 * {@link DockerEventWatcher} per engine (the local socket, and each `docker`
 * connection of the orch plugin), all feeding one {@link IncidentEngine}.
 *
 * Each watcher resumes from the newest event stored for its engine, so a
 * backend restart or a dropped connection loses nothing Docker still holds.
 * Swarm tasks that fail before a container runs send no event: each
 * housekeeping pass (and each service event) scans the tasks of every
 * watched Swarm manager with a {@link SwarmTaskScanner}.
 * Several replicas may watch the same engine: the store is idempotent.
 */
export class IncidentMonitor {
  readonly engine: IncidentEngine;
  private readonly entries = new Map<string, Entry>();
  private readonly filters: DockerEventFilters;
  private stopped = false;
  private refreshing?: Promise<void>;

  constructor(
    private readonly deps: {
      store: IncidentStore;
      config: IncidentsConfig;
      logger: LoggerService;
      /**
       * The local socket, when the `local` endpoint is enabled. It is
       * watched while it exists: each refresh starts its watcher when the
       * socket appears (Docker started after Orch) and stops it when the
       * socket goes away.
       */
      localSocketPath?: string;
      /** The `docker` connections; undefined when they cannot be read. */
      dockerConnections: () => Promise<DockerConnection[]>;
      onOpened: (incident: Incident) => Promise<void>;
      /** Bound on each context call to an engine, in milliseconds. */
      timeoutMs: number;
    },
  ) {
    this.filters = deps.config.labels.length
      ? { ...DEFAULT_EVENT_FILTERS, label: deps.config.labels }
      : DEFAULT_EVENT_FILTERS;
    this.engine = new IncidentEngine({
      store: deps.store,
      collectors: id => this.entries.get(id)?.collector,
      quietPeriodMs: deps.config.quietPeriodMs,
      onOpened: deps.onOpened,
      logger: deps.logger,
    });
  }

  /** Starts the local watcher and those of the `docker` connections. */
  async start(): Promise<void> {
    await this.refreshConnections();
  }

  /**
   * Starts the local watcher when the local socket (now) exists and stops it
   * when the socket is gone; starts watchers for new `docker` connections,
   * restarts those whose host or TLS material changed, and stops those of
   * deleted connections. A failure to read the connections keeps the
   * running `docker` watchers.
   */
  refreshConnections(): Promise<void> {
    // One refresh at a time (startup and the schedule may meet).
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<void> {
    await this.refreshLocal();
    let connections: DockerConnection[];
    try {
      connections = await this.deps.dockerConnections();
    } catch (error) {
      this.deps.logger.warn(
        `Docker connections could not be read from the orch plugin; keeping the current watchers: ${
          (error as Error).message
        }`,
      );
      return;
    }
    const wanted = new Set(connections.map(c => c.id));
    for (const [id, entry] of this.entries) {
      if (entry.kind === 'docker' && !wanted.has(id)) {
        this.entries.delete(id);
        await entry.watcher.stop();
      }
    }
    for (const connection of connections) {
      let docker: Docker;
      try {
        docker = dockerFor(connection);
      } catch (error) {
        this.deps.logger.warn(
          `Docker connection "${connection.name}" is not watched: ${
            (error as Error).message
          }`,
        );
        continue;
      }
      await this.ensure(connection.id, {
        name: connection.name,
        kind: 'docker',
        key: keyOf(connection),
        docker,
      });
    }
  }

  private async refreshLocal(): Promise<void> {
    const socketPath = this.deps.localSocketPath;
    if (!socketPath) return;
    if (existsSync(socketPath)) {
      if (!this.entries.has('local')) {
        this.deps.logger.info(
          `Docker socket at ${socketPath} found: watching the local engine for incidents`,
        );
      }
      await this.ensure('local', {
        name: 'local',
        kind: 'local',
        key: socketPath,
        docker: new Docker({ socketPath }),
      });
      return;
    }
    const current = this.entries.get('local');
    if (current) {
      this.entries.delete('local');
      await current.watcher.stop();
      this.deps.logger.warn(
        `Docker socket at ${socketPath} is gone: the local engine is no longer watched for incidents (until the socket is back)`,
      );
    }
  }

  /**
   * Scans the Swarm tasks of every watched engine, resolves quiet incidents
   * and prunes old events.
   */
  async housekeeping(now = new Date()): Promise<void> {
    // A disconnected engine is the watcher's to report, not the scan's.
    await Promise.all(
      [...this.entries.entries()]
        .filter(([, e]) => e.connected)
        .map(([id, e]) => this.scanTasks(id, e)),
    );
    const resolved = await this.engine.resolveQuiet(now);
    const pruned = await this.deps.store.pruneEvents(
      new Date(now.getTime() - this.deps.config.eventRetentionMs),
    );
    if (resolved.length || pruned) {
      this.deps.logger.info(
        `Incidents: ${resolved.length} resolved after a quiet period, ${pruned} old events pruned`,
      );
    }
  }

  /** Every watched engine and its counters. */
  engines(): WatchedEngine[] {
    return [...this.entries.entries()].map(([endpointId, e]) => {
      const stats = e.watcher.stats;
      return {
        endpointId,
        name: e.name,
        kind: e.kind,
        connected: e.connected,
        received: stats.received,
        handled: stats.handled,
        dropped: stats.dropped,
        connections: stats.connections,
        ...(e.lastError ? { lastError: e.lastError } : {}),
      };
    });
  }

  /**
   * Turns the engine's failing Swarm tasks into incidents. A scan already
   * under way is joined, not doubled; a failure is logged, never thrown: the
   * next pass tries again.
   */
  private scanTasks(endpointId: string, entry: Entry): Promise<void> {
    entry.scanning ??= (async () => {
      try {
        const events = await entry.scanner.scan();
        if (events.length) await this.engine.handleBatch(events);
      } catch (error) {
        this.deps.logger.warn(
          `Swarm tasks of ${entry.name} (${endpointId}) could not be scanned: ${
            (error as Error).message
          }`,
        );
      }
    })().finally(() => {
      entry.scanning = undefined;
    });
    return entry.scanning;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map(e => e.watcher.stop()));
    await Promise.all(entries.map(e => e.scanning));
  }

  private async ensure(
    endpointId: string,
    spec: {
      name: string;
      kind: WatchedEngineKind;
      key: string;
      docker: Docker;
    },
  ): Promise<void> {
    const current = this.entries.get(endpointId);
    if (current && current.key === spec.key) {
      current.name = spec.name;
      return;
    }
    if (current) {
      this.entries.delete(endpointId);
      await current.watcher.stop();
    }
    if (this.stopped) return;
    const since = await this.deps.store.lastEventTime(endpointId);
    const entry: Entry = {
      name: spec.name,
      kind: spec.kind,
      key: spec.key,
      connected: false,
      scanner: new SwarmTaskScanner({
        docker: spec.docker,
        endpointId,
        labels: this.deps.config.labels,
        timeoutMs: this.deps.timeoutMs,
      }),
      collector: new DockerContextCollector({
        docker: spec.docker,
        logLines: this.deps.config.logLines,
        timeoutMs: this.deps.timeoutMs,
      }),
      watcher: new DockerEventWatcher({
        docker: spec.docker,
        endpointId,
        since,
        filters: this.filters,
        logger: this.deps.logger,
        onEvents: async events => {
          await this.engine.handleBatch(events);
          // A service changed: its new tasks may fail before they run.
          if (
            events.some(isServiceChange) &&
            this.entries.get(endpointId) === entry
          ) {
            void this.scanTasks(endpointId, entry);
          }
        },
        onConnect: () => {
          entry.connected = true;
          entry.lastError = undefined;
        },
        onDisconnect: error => {
          entry.connected = false;
          entry.lastError = error.message;
        },
      }),
    };
    this.entries.set(endpointId, entry);
    entry.watcher.start();
  }
}

function isServiceChange(event: DockerEvent): boolean {
  return event.type === 'service' && event.action === 'update';
}

function keyOf(c: DockerConnection): string {
  return [c.host, c.ca ?? '', c.cert ?? '', c.key ?? ''].join('\n');
}

/** A dockerode client for a `docker` connection (TLS when given). */
export function dockerFor(c: DockerConnection): Docker {
  if (c.host.startsWith('unix://')) {
    return new Docker({ socketPath: c.host.slice('unix://'.length) });
  }
  let url: URL;
  try {
    url = new URL(c.host.replace(/^tcp:/, c.ca || c.cert ? 'https:' : 'http:'));
  } catch {
    throw new Error(`host "${c.host}" is not tcp://host:port or unix:///path`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`host "${c.host}" is not tcp://host:port or unix:///path`);
  }
  const tls = url.protocol === 'https:';
  return new Docker({
    protocol: tls ? 'https' : 'http',
    host: url.hostname,
    port: Number(url.port || (tls ? 2376 : 2375)),
    ...(c.ca ? { ca: c.ca } : {}),
    ...(c.cert ? { cert: c.cert } : {}),
    ...(c.key ? { key: c.key } : {}),
  });
}
