import type {
  JobEventsPage,
  JobEventsQuery,
  JobLogHandlers,
} from '../../api/jobsApi';

/** Where a log viewer reads one job's log. */
export interface LogSource {
  /** Events with `after < seq < before`, optionally matching `q`. */
  fetchEvents(
    query: JobEventsQuery,
    signal?: AbortSignal,
  ): Promise<JobEventsPage>;
  /** Follows the live log after `after` until the job ends or `signal` aborts. */
  follow?(
    after: number,
    handlers: JobLogHandlers,
    signal: AbortSignal,
  ): Promise<void>;
}

/** What a parent can ask of the viewer. */
export type LogViewerHandle = {
  /** Scrolls to an event and stops following the tail. */
  jumpTo(seq: number): void;
};
