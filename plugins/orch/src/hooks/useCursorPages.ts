import { useCallback, useEffect, useRef, useState } from 'react';

/** What {@link useCursorPages} gives a list screen. */
export type CursorPagesState<P> = {
  page?: P;
  error?: Error;
  loading: boolean;
  /** 0 for the first (newest) page. */
  pageIndex: number;
  next: () => void;
  previous: () => void;
  retry: () => void;
};

/**
 * One page of a keyset-paged list at a time, walked with the API's cursor
 * (a stack of the cursors that led here, so Previous needs no offset). New
 * filters start over from the first page. While `pollMs(page, firstPage)`
 * gives an interval, the page is asked again that often, quietly (no
 * loading state), and never while the tab is hidden.
 */
export function useCursorPages<Q extends object, P extends { nextCursor?: string }>(
  fetchPage: (query: Q & { cursor?: string }) => Promise<P>,
  filters: Q,
  pollMs: (page: P | undefined, firstPage: boolean) => number | undefined,
): CursorPagesState<P> {
  const filterKey = JSON.stringify(filters);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<P>();
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
    fetchPage({ ...(JSON.parse(filterKey) as Q), cursor }).then(
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
  }, [fetchPage, filterKey, cursor, tick]);

  const interval = pollMs(page, cursors.length === 1);
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
    next: useCallback(() => {
      if (nextCursor) setCursors(c => [...c, nextCursor]);
    }, [nextCursor]),
    previous: useCallback(
      () => setCursors(c => (c.length > 1 ? c.slice(0, -1) : c)),
      [],
    ),
    retry: useCallback(() => setTick(n => n + 1), []),
  };
}
