import type { LoggerService } from '@backstage/backend-plugin-api';
import type Docker from 'dockerode';
import {
  dockerEventKey,
  nanoToDockerSince,
  parseDockerEvent,
} from './parseDockerEvent';
import {
  DEFAULT_EVENT_FILTERS,
  type DockerEvent,
  type DockerEventFilters,
} from './types';

/**
 * Options of {@link DockerEventWatcher}.
 * @public
 */
export type DockerEventWatcherOptions = {
  /** The Docker engine to watch (local socket, TCP with TLS, …). */
  docker: Docker;
  /** Name given to every event of this engine (`local`, a connection id). */
  endpointId: string;
  /**
   * Called once per event, in the order Docker sent them, one at a time. A
   * rejection is retried (see `handlerAttempts`), then logged and skipped.
   * Give this or `onEvents`.
   */
  onEvent?: (event: DockerEvent) => Promise<void>;
  /**
   * Called with the events queued so far (at most `maxBatchSize`), in order,
   * one batch at a time: the way to keep up with a busy engine
   * (`events => engine.handleBatch(events)`). A rejection retries the whole
   * batch, so the handler must be idempotent (the engine is).
   */
  onEvents?: (events: DockerEvent[]) => Promise<void>;
  /** @defaultValue 500 */
  maxBatchSize?: number;
  logger?: LoggerService;
  /**
   * Resume point at start, as `timeNano` (e.g. the last stored event of this
   * endpoint): Docker replays what it still holds from there.
   * @defaultValue no replay: events from the first connection on
   */
  since?: string;
  /** @defaultValue {@link DEFAULT_EVENT_FILTERS} */
  filters?: DockerEventFilters;
  /**
   * First reconnect delay; doubles after every failed attempt.
   * @defaultValue 250
   */
  initialBackoffMs?: number;
  /** @defaultValue 10000 */
  maxBackoffMs?: number;
  /**
   * How long a connection attempt may take before it is abandoned.
   * @defaultValue 10000
   */
  connectTimeoutMs?: number;
  /**
   * How far before the last seen event a reconnect resumes. Docker stamps an
   * event before it publishes it, so two events can arrive a little out of
   * order; the overlap catches one that was stamped earlier but not yet
   * delivered when the connection broke. Duplicates are dropped.
   * @defaultValue 1000
   */
  resumeOverlapMs?: number;
  /** @defaultValue 3 */
  handlerAttempts?: number;
  /** Called when the event stream is open (first connection and each reconnect). */
  onConnect?: () => void;
  /** Called when the event stream breaks; a reconnect is scheduled. */
  onDisconnect?: (error: Error) => void;
};

/**
 * Counters of a {@link DockerEventWatcher}, for health routes and tests.
 * @public
 */
export type DockerEventWatcherStats = {
  /** Events parsed from the stream (duplicates excluded). */
  received: number;
  /** Events whose handler resolved. */
  handled: number;
  /** Re-deliveries dropped (replays after a reconnect). */
  duplicates: number;
  /** Lines that were not Docker events, and events whose handler kept failing. */
  dropped: number;
  /** Successful connections, the first one included. */
  connections: number;
  /** Events parsed but not handled yet. */
  queued: number;
};

const DEFAULT_RESUME_OVERLAP_NS = 1_000_000_000n;
// Keys are remembered this long behind the newest event: longer than the
// resume overlap, so every replayed event is recognised.
const KEY_WINDOW_NS = 10_000_000_000n;

/**
 * Watches one Docker engine's event stream and hands each event, parsed, to
 * an async callback.
 *
 * The stream is read eagerly and queued in memory: Docker drops events for a
 * subscriber that does not keep up, so a slow handler must never slow the
 * reading. When the stream breaks (engine restart, network, proxy) the
 * watcher reconnects with exponential backoff and asks Docker to replay from
 * the last event it saw, minus a small overlap; events seen twice are dropped
 * by their `(timeNano, id, action)` key. Docker keeps only its last 256
 * events in memory, so an outage busier than that loses the oldest of them.
 *
 * Nothing the stream carries can throw out of the watcher: a line that does
 * not parse is logged and skipped, a handler that keeps failing is logged and
 * the event skipped.
 * @public
 */
export class DockerEventWatcher {
  private readonly options: DockerEventWatcherOptions;
  private readonly filters: DockerEventFilters;
  private readonly queue: DockerEvent[] = [];
  private readonly keys = new Map<string, bigint>();
  private running = false;
  private stream?: NodeJS.ReadableStream & { destroy?(): void };
  private abort?: AbortController;
  private reconnectTimer?: NodeJS.Timeout;
  private backoffMs: number;
  private lastNano?: bigint;
  private serverNowNano?: bigint;
  private draining?: Promise<void>;
  private readonly counters = {
    received: 0,
    handled: 0,
    duplicates: 0,
    dropped: 0,
    connections: 0,
  };
  private isConnected = false;

  constructor(options: DockerEventWatcherOptions) {
    if (!options.onEvent === !options.onEvents) {
      throw new TypeError(
        'DockerEventWatcher needs one of onEvent and onEvents',
      );
    }
    this.options = options;
    this.filters = options.filters ?? DEFAULT_EVENT_FILTERS;
    this.backoffMs = options.initialBackoffMs ?? 250;
    if (options.since !== undefined) {
      this.lastNano = BigInt(options.since);
    }
  }

  /** The endpoint this watcher reports events for. */
  get endpointId(): string {
    return this.options.endpointId;
  }

  /** Whether the event stream is open right now. */
  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * `timeNano` of the newest event received: where a reconnect (or the next
   * process, if stored) resumes.
   */
  get lastSeen(): string | undefined {
    return this.lastNano?.toString();
  }

  /** Counters since construction. */
  get stats(): DockerEventWatcherStats {
    return { ...this.counters, queued: this.queue.length };
  }

  /** Opens the event stream. Returns at once; connecting happens in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  /**
   * Closes the stream, cancels reconnects, and waits for the event being
   * handled (if any). Queued events that were not handled yet are dropped.
   */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.abort?.abort();
    this.closeStream();
    this.queue.length = 0;
    await this.draining;
  }

  private log(level: 'info' | 'warn' | 'error', message: string) {
    this.options.logger?.[level](
      `Docker events of ${this.options.endpointId}: ${message}`,
    );
  }

  private connect() {
    if (!this.running) return;
    const abort = new AbortController();
    this.abort = abort;
    const timer = setTimeout(
      () => abort.abort(),
      this.options.connectTimeoutMs ?? 10_000,
    );
    const since = this.resumeFrom();
    const opts: Record<string, unknown> = {
      filters: this.filters,
      abortSignal: abort.signal,
    };
    if (since !== undefined) opts.since = nanoToDockerSince(since.toString());

    this.options.docker
      .getEvents(opts as Docker.GetEventsOptions)
      .then(stream => {
        clearTimeout(timer);
        if (!this.running || abort.signal.aborted) {
          (stream as any).destroy?.();
          return;
        }
        this.attach(stream as any);
      })
      .catch((error: Error) => {
        clearTimeout(timer);
        if (!this.running) return;
        this.onBroken(
          abort.signal.aborted ? new Error('connection timed out') : error,
        );
      });
  }

  // Replays start from the last event seen; before any event, from the time
  // the engine reported when the stream last opened, so that a break before
  // the first event still loses nothing.
  private resumeFrom(): bigint | undefined {
    const base = this.lastNano ?? this.serverNowNano;
    if (base === undefined) return undefined;
    const overlap =
      this.options.resumeOverlapMs === undefined
        ? DEFAULT_RESUME_OVERLAP_NS
        : BigInt(this.options.resumeOverlapMs) * 1_000_000n;
    const from = base - overlap;
    return from > 0n ? from : 0n;
  }

  private attach(stream: NodeJS.ReadableStream & { destroy?(): void }) {
    this.stream = stream;
    this.isConnected = true;
    this.counters.connections++;
    this.backoffMs = this.options.initialBackoffMs ?? 250;
    const date = (stream as any).headers?.date;
    const serverMs = date ? Date.parse(date) : NaN;
    // The Date header has whole seconds: step back one so nothing is skipped.
    this.serverNowNano =
      BigInt(Number.isNaN(serverMs) ? Date.now() - 1000 : serverMs - 1000) *
      1_000_000n;
    this.log('info', `connected (${this.counters.connections})`);
    this.options.onConnect?.();

    let pending = '';
    let broken = false;
    const broke = (error: Error) => {
      if (broken) return;
      broken = true;
      if (this.stream === stream) this.stream = undefined;
      stream.removeAllListeners('data');
      (stream as any).destroy?.();
      this.onBroken(error);
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) this.accept(line);
        newline = pending.indexOf('\n');
      }
    });
    stream.on('error', (error: Error) => broke(error));
    stream.on('end', () => broke(new Error('event stream ended')));
    stream.on('close', () => broke(new Error('event stream closed')));
  }

  private onBroken(error: Error) {
    const wasConnected = this.isConnected;
    this.isConnected = false;
    if (!this.running) return;
    if (wasConnected) {
      this.log('warn', `disconnected: ${error.message}`);
      this.options.onDisconnect?.(error);
    }
    const delay = this.backoffMs;
    this.backoffMs = Math.min(
      this.backoffMs * 2,
      this.options.maxBackoffMs ?? 10_000,
    );
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private closeStream() {
    const stream = this.stream;
    this.stream = undefined;
    this.isConnected = false;
    if (stream) {
      stream.removeAllListeners('data');
      stream.destroy?.();
    }
  }

  private accept(line: string) {
    let event: DockerEvent | undefined;
    try {
      event = parseDockerEvent(line, this.options.endpointId);
    } catch (error) {
      this.counters.dropped++;
      // Not the line itself: it may carry label values that are secrets.
      this.log(
        'warn',
        `skipped a line of ${line.length} characters that is not an event: ${
          (error as Error).message
        }`,
      );
      return;
    }
    if (!event) return;
    const nano = BigInt(event.timeNano);
    const key = dockerEventKey(event);
    if (this.keys.has(key)) {
      this.counters.duplicates++;
      return;
    }
    this.keys.set(key, nano);
    if (this.lastNano === undefined || nano > this.lastNano) {
      this.lastNano = nano;
      this.forgetOldKeys();
    }
    this.counters.received++;
    this.queue.push(event);
    if (this.queue.length % 10_000 === 0) {
      this.log('warn', `${this.queue.length} events wait for the handler`);
    }
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
      });
    }
  }

  private forgetOldKeys() {
    // Maps iterate in insertion order, which is roughly time order.
    const horizon = this.lastNano! - KEY_WINDOW_NS;
    for (const [key, nano] of this.keys) {
      if (nano >= horizon) break;
      this.keys.delete(key);
    }
  }

  private async drain(): Promise<void> {
    const attempts = this.options.handlerAttempts ?? 3;
    const batchSize = this.options.onEvents
      ? this.options.maxBatchSize ?? 500
      : 1;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, batchSize);
      for (let attempt = 1; ; attempt++) {
        try {
          if (this.options.onEvents) await this.options.onEvents(batch);
          else await this.options.onEvent!(batch[0]);
          this.counters.handled += batch.length;
          break;
        } catch (error) {
          if (attempt >= attempts || !this.running) {
            this.counters.dropped += batch.length;
            const first = batch[0];
            this.log(
              'error',
              `handler failed ${attempt} times on ${
                batch.length > 1 ? `${batch.length} events from ` : ''
              }${first.rawAction} of ${first.actorId} at ${
                first.time
              }, skipped: ${(error as Error).message}`,
            );
            break;
          }
          await new Promise(r => setTimeout(r, 100 * 2 ** attempt));
        }
      }
    }
  }
}
