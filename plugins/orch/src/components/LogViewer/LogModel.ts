import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import { type AnsiSpan, countLines, parseAnsiLines } from './ansi';
import { LineIndex } from './LineIndex';

/** Events per page fetched from the server. */
export const PAGE_SIZE = 500;

const LEVELS: JobEvent['level'][] = ['info', 'debug', 'warning', 'error'];

type Page = {
  /** stdout by `seq - first seq of the page`; undefined when not held. */
  texts: (string | undefined)[];
  levels: Uint8Array;
  lastUsed: number;
};

export type LogModelOptions = {
  /**
   * Pages of text kept in memory; the least recently used go first. Heights
   * stay known for every row, so an evicted page comes back without a jump.
   * @defaultValue 64
   */
  maxPages?: number;
  /** Schedules a change notification; tests pass a synchronous one. */
  schedule?: (flush: () => void) => void;
};

const defaultSchedule = (flush: () => void) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

/**
 * What the log viewer knows of a job's log, bounded in memory: one row per
 * event (`seq` 1…lastSeq, row = seq - 1), each row's height in lines (the
 * number of lines of its stdout; 1 until known, 0 for an event without
 * output or a seq that does not exist), and the text of a bounded number of
 * pages around where the reader looks or of the live tail. Listeners hear of
 * changes at most once per animation frame.
 */
export class LogModel {
  readonly lines = new LineIndex();
  private known = new Uint8Array(0);
  private pages = new Map<number, Page>();
  private parsed = new Map<number, AnsiSpan[][]>();
  private listeners = new Set<() => void>();
  private scheduled = false;
  private tick = 0;
  private readonly maxPages: number;
  private readonly schedule: (flush: () => void) => void;

  /** Bumped on every notified change. */
  version = 0;
  /** Events received live (stream), for integrity checks. */
  liveReceived = 0;
  /** First and last seq received live. */
  liveFirst = 0;
  liveLast = 0;

  constructor(options: LogModelOptions = {}) {
    this.maxPages = Math.max(4, options.maxPages ?? 64);
    this.schedule = options.schedule ?? defaultSchedule;
  }

  get lastSeq(): number {
    return this.lines.size;
  }

  /** Pages holding text right now. */
  get pageCount(): number {
    return this.pages.size;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getVersion = (): number => this.version;

  /** The log has at least `seq` events. */
  growTo(seq: number): void {
    if (seq <= this.lines.size) return;
    this.lines.resize(seq, 1);
    if (seq > this.known.length) {
      const known = new Uint8Array(
        Math.max(seq, Math.min(this.known.length * 2 || 1024, seq * 2)),
      );
      known.set(this.known);
      this.known = known;
    }
    this.changed();
  }

  /** Events read from the live stream, in order. */
  appendLive(events: JobEvent[]): void {
    if (events.length === 0) return;
    if (!this.liveFirst) this.liveFirst = events[0].seq;
    this.liveReceived += events.length;
    this.liveLast = events[events.length - 1].seq;
    this.growTo(this.liveLast);
    for (const event of events) this.put(event);
    this.evict();
    this.changed();
  }

  /** Single events read elsewhere (search results): shown at once. */
  applyEvents(events: JobEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) {
      this.growTo(event.seq);
      this.put(event);
    }
    this.evict();
    this.changed();
  }

  /**
   * A page as the server answered it: every event of seqs `[first, last]`
   * it returned, where `last` is the page's end or the log's end. Seqs the
   * answer lacks do not exist: their rows take no space.
   */
  applyPage(page: number, events: JobEvent[]): void {
    const first = page * PAGE_SIZE + 1;
    const last = Math.min(first + PAGE_SIZE - 1, this.lastSeq);
    const entry = this.page(page, true)!;
    entry.lastUsed = ++this.tick;
    for (const event of events) {
      if (event.seq >= first && event.seq <= first + PAGE_SIZE - 1) {
        this.growTo(event.seq);
        this.put(event);
      }
    }
    for (let seq = first; seq <= last; seq++) {
      if (!this.known[seq - 1] && entry.texts[seq - first] === undefined) {
        this.known[seq - 1] = 1;
        this.lines.set(seq - 1, 0);
      }
    }
    this.evict();
    this.changed();
  }

  /** Whether the page has text in memory (it may still lack gap rows). */
  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  /** Marks a page as just used, so eviction keeps it. */
  touch(page: number): void {
    const entry = this.pages.get(page);
    if (entry) entry.lastUsed = ++this.tick;
  }

  isKnown(seq: number): boolean {
    return this.known[seq - 1] === 1;
  }

  text(seq: number): string | undefined {
    const entry = this.pages.get(Math.floor((seq - 1) / PAGE_SIZE));
    return entry?.texts[(seq - 1) % PAGE_SIZE];
  }

  level(seq: number): JobEvent['level'] {
    const entry = this.pages.get(Math.floor((seq - 1) / PAGE_SIZE));
    return LEVELS[entry?.levels[(seq - 1) % PAGE_SIZE] ?? 0];
  }

  /** The styled lines of an event, parsed once while its page is held. */
  spans(seq: number): AnsiSpan[][] | undefined {
    const cached = this.parsed.get(seq);
    if (cached) return cached;
    const text = this.text(seq);
    if (text === undefined) return undefined;
    const lines = parseAnsiLines(text);
    this.parsed.set(seq, lines);
    if (this.parsed.size > 4000) {
      // Insertion order: the oldest parsed go first.
      const drop = this.parsed.size - 3000;
      let n = 0;
      for (const key of this.parsed.keys()) {
        if (n++ >= drop) break;
        this.parsed.delete(key);
      }
    }
    return lines;
  }

  private page(page: number, create: boolean): Page | undefined {
    let entry = this.pages.get(page);
    if (!entry && create) {
      entry = {
        texts: new Array(PAGE_SIZE),
        levels: new Uint8Array(PAGE_SIZE),
        lastUsed: ++this.tick,
      };
      this.pages.set(page, entry);
    }
    return entry;
  }

  private put(event: JobEvent) {
    const row = event.seq - 1;
    const entry = this.page(Math.floor(row / PAGE_SIZE), true)!;
    const slot = row % PAGE_SIZE;
    if (entry.texts[slot] !== event.stdout) this.parsed.delete(event.seq);
    entry.texts[slot] = event.stdout;
    entry.levels[slot] = Math.max(0, LEVELS.indexOf(event.level));
    this.known[row] = 1;
    this.lines.set(row, countLines(event.stdout));
  }

  private evict() {
    if (this.pages.size <= this.maxPages) return;
    const byAge = [...this.pages.entries()].sort(
      (a, b) => a[1].lastUsed - b[1].lastUsed,
    );
    for (const [page] of byAge.slice(0, this.pages.size - this.maxPages)) {
      this.pages.delete(page);
      const first = page * PAGE_SIZE + 1;
      for (let seq = first; seq < first + PAGE_SIZE; seq++) {
        this.parsed.delete(seq);
      }
    }
  }

  private changed() {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.version++;
      for (const listener of this.listeners) listener();
    });
  }
}
