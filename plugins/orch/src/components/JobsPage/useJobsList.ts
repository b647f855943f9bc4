import { useCallback } from 'react';
import { isFinalJobStatus } from '@internal/backstage-plugin-orch-common';
import {
  useRunbooksClient,
  type JobListPage,
  type JobListQuery,
} from '../../api/runbooksApi';
import {
  useCursorPages,
  type CursorPagesState,
} from '../../hooks/useCursorPages';

/** How often a page with a running or pending job asks again. */
export const JOBS_ACTIVE_POLL_MS = 3000;
/** How often the first page asks again when nothing on it runs: new jobs. */
export const JOBS_IDLE_POLL_MS = 15000;

export type JobsListState = CursorPagesState<JobListPage> & {
  /** Whether the page shown holds a job that is not over: it is polled. */
  live: boolean;
};

/**
 * One page of the jobs list at a time, walked with the API's keyset cursor
 * (a stack of the cursors that led here, so Previous needs no offset).
 * The page is asked again every few seconds while one of its jobs is still
 * PENDING or RUNNING, and, on the first page, now and then for new jobs;
 * never while the tab is hidden. Changing the filters starts over.
 */
export function useJobsList(
  filters: Omit<JobListQuery, 'cursor'>,
): JobsListState {
  const client = useRunbooksClient();
  const fetchPage = useCallback(
    (query: JobListQuery): Promise<JobListPage> => client.listJobs(query),
    [client],
  );
  const state = useCursorPages(fetchPage, filters, pollInterval);
  const active = !!state.page?.items.some(
    job => !isFinalJobStatus(job.status),
  );
  return { ...state, live: active && !state.error };
}

function pollInterval(
  page: JobListPage | undefined,
  firstPage: boolean,
): number | undefined {
  if (page?.items.some(job => !isFinalJobStatus(job.status))) {
    return JOBS_ACTIVE_POLL_MS;
  }
  return firstPage ? JOBS_IDLE_POLL_MS : undefined;
}
