import type { JobEventsPage, JobEventsQuery } from '../../api/jobsApi';

/** Matches fetched per request. */
const LIMIT = 500;
/** Stop counting past this many matches ("1000+"). */
const COUNT_CAP = 1000;
const MIN_WINDOW = 10_000;
const MAX_WINDOW = 1_000_000;

/** What the search box shows. */
export type LogSearchState = {
  query: string;
  /** Sequence numbers of the matches found so far, ascending. */
  matches: number[];
  /** Index in `matches` of the current one; -1 for none. */
  active: number;
  /** Up to which seq the log has been searched. */
  scannedTo: number;
  /** The last seq the search covers. */
  end: number;
  /** Every match is known (the whole log was searched). */
  done: boolean;
  searching: boolean;
  error?: Error;
};

const IDLE: LogSearchState = {
  query: '',
  matches: [],
  active: -1,
  scannedTo: 0,
  end: 0,
  done: true,
  searching: false,
};

/**
 * Server-side search of a job's log (`q=` on the events API), window by
 * window (`after`/`before`), so each request takes a bounded time however
 * big the log, the first match shows as soon as its window answers, and a
 * rare word still gets searched to the end. Matches are kept as sequence
 * numbers only; counting stops at 1000 ("1000+"), further ones are fetched
 * when the reader gets there.
 */
export class LogSearch {
  state: LogSearchState = IDLE;
  private controller?: AbortController;
  private window = 200_000;
  private running?: Promise<void>;

  constructor(
    private readonly fetchEvents: (
      query: JobEventsQuery,
      signal: AbortSignal,
    ) => Promise<JobEventsPage>,
    private readonly onChange: (state: LogSearchState) => void,
  ) {}

  /** Starts a new search; resolves with the first match's seq, if any. */
  async start(query: string, lastSeq: number): Promise<number | undefined> {
    this.controller?.abort();
    this.controller = new AbortController();
    this.running = undefined;
    if (!query) {
      this.set(IDLE);
      return undefined;
    }
    this.set({
      ...IDLE,
      query,
      end: lastSeq,
      done: lastSeq === 0,
      searching: lastSeq > 0,
    });
    await this.scan(() => this.state.matches.length > 0);
    if (this.state.matches.length > 0) {
      this.set({ ...this.state, active: 0 });
      // Keep counting in the background, one request at a time.
      this.scan(() => this.state.matches.length >= COUNT_CAP).catch(() => {});
      return this.state.matches[0];
    }
    return undefined;
  }

  /** Moves to the next match (wrapping once all are known). */
  async next(): Promise<number | undefined> {
    const s = this.state;
    if (!s.query) return undefined;
    if (s.active + 1 >= s.matches.length && !s.done) {
      await this.scan(() => this.state.matches.length > s.active + 1);
    }
    const { matches, active, done } = this.state;
    if (matches.length === 0) return undefined;
    let next = active + 1;
    if (next >= matches.length) next = done ? 0 : active;
    this.set({ ...this.state, active: next });
    return matches[next];
  }

  /** Moves to the previous match (wrapping to the last once all are known). */
  async previous(): Promise<number | undefined> {
    const { matches, active, done, query } = this.state;
    if (!query || matches.length === 0) return undefined;
    let prev = active - 1;
    if (prev < 0) prev = done ? matches.length - 1 : 0;
    this.set({ ...this.state, active: prev });
    return matches[prev];
  }

  clear() {
    this.controller?.abort();
    this.set(IDLE);
  }

  private set(state: LogSearchState) {
    this.state = state;
    this.onChange(state);
  }

  /** Searches on, one window at a time, until `enough()` or the end. */
  private scan(enough: () => boolean): Promise<void> {
    // One scan at a time: a later caller waits for the running one, then
    // goes on if it still needs more.
    const previous = this.running ?? Promise.resolve();
    const run = previous.then(() => this.scanNow(enough));
    this.running = run.catch(() => {});
    return run;
  }

  private async scanNow(enough: () => boolean) {
    const controller = this.controller;
    if (!controller) return;
    const { signal } = controller;
    while (!signal.aborted && !this.state.done && !enough()) {
      const { scannedTo, end, query } = this.state;
      const before = Math.min(end, scannedTo + this.window) + 1;
      const started = Date.now();
      this.set({ ...this.state, searching: true });
      let page: JobEventsPage;
      try {
        page = await this.fetchEvents(
          { q: query, after: scannedTo, before, limit: LIMIT },
          signal,
        );
      } catch (e) {
        if (signal.aborted) return;
        this.set({ ...this.state, searching: false, error: e as Error });
        throw e;
      }
      if (signal.aborted) return;
      const took = Date.now() - started;
      if (took < 150 && page.nextAfter === undefined) {
        this.window = Math.min(this.window * 2, MAX_WINDOW);
      } else if (took > 400) {
        this.window = Math.max(Math.floor(this.window / 2), MIN_WINDOW);
      }
      const reached = page.nextAfter ?? before - 1;
      this.set({
        ...this.state,
        matches: [...this.state.matches, ...page.items.map(e => e.seq)],
        scannedTo: reached,
        done: reached >= end,
        searching: false,
        error: undefined,
      });
    }
    if (!signal.aborted && this.state.searching) {
      this.set({ ...this.state, searching: false });
    }
  }
}
