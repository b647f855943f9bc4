import { useCallback, useEffect, useRef, useState } from 'react';
import { isFinalJobStatus } from '@internal/backstage-plugin-orch-common';
import {
  useRunbooksClient,
  type JobListPage,
  type JobListQuery,
} from '../../api/runbooksApi';

/** How often a page with a running or pending job asks again. */
export const JOBS_ACTIVE_POLL_MS = 3000;
/** How often the first page asks again when nothing on it runs: new jobs. */
export const JOBS_IDLE_POLL_MS = 15000;

export type JobsListState = {
  page?: JobListPage;
  error?: Error;
  loading: boolean;
  /** 0 for the newest jobs. */
  pageIndex: number;
  /** Whether the page shown holds a job that is not over: it is polled. */
  live: boolean;
  next: () => void;
  previous: () => void;
  retry: () => void;
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
  const filterKey = JSON.stringify(filters);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<JobListPage>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const request = useRef(0);
  const polled = useRef(false);

  // New filters: back to the first page, and no stale rows meanwhile.
  useEffect(() => {
    setCursors([undefined]);
    setPage(undefined);
  }, [filterKey]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const id = ++request.current;
    // A poll refreshes quietly; anything the user did shows progress.
    if (!polled.current) setLoading(true);
    polled.current = false;
    client
      .listJobs({ ...(JSON.parse(filterKey) as JobListQuery), cursor })
      .then(
        result => {
          if (id !== request.current) return;
          setPage(result);
          setError(undefined);
          setLoading(false);
        },
        e => {
          if (id !== request.current) return;
          setError(e);
          setLoading(false);
        },
      );
  }, [client, filterKey, cursor, tick]);

  const active = !!page?.items.some(job => !isFinalJobStatus(job.status));
  const firstPage = cursors.length === 1;
  let interval: number | undefined;
  if (active) interval = JOBS_ACTIVE_POLL_MS;
  else if (firstPage) interval = JOBS_IDLE_POLL_MS;

  const retry = useCallback(() => setTick(n => n + 1), []);
  useEffect(() => {
    if (!interval) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') {
        polled.current = true;
        setTick(n => n + 1);
      }
    }, interval);
    return () => clearInterval(timer);
  }, [interval]);

  const nextCursor = page?.nextCursor;
  return {
    page,
    error,
    loading,
    pageIndex: cursors.length - 1,
    live: active && !error,
    next: useCallback(() => {
      if (nextCursor) setCursors(c => [...c, nextCursor]);
    }, [nextCursor]),
    previous: useCallback(
      () => setCursors(c => (c.length > 1 ? c.slice(0, -1) : c)),
      [],
    ),
    retry,
  };
}
