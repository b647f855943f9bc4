import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import type { IncidentListResult } from '@internal/backstage-plugin-portainer-common';
import { portainerApiRef, type IncidentQuery } from '../../api/PortainerClient';
import { MONITORING_POLL_MS } from '../containers/useEndpoints';

/**
 * One page of incidents at a time, walked with the API's cursor (a stack of
 * the cursors that led here, so Previous needs no offset), asked again
 * every 10 s while the tab is visible. New filters start over.
 */
export function useIncidentList(filters: Omit<IncidentQuery, 'cursor'>) {
  const api = useApi(portainerApiRef);
  const filterKey = JSON.stringify(filters);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<IncidentListResult>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const request = useRef(0);
  const polled = useRef(false);

  useEffect(() => {
    setCursors([undefined]);
    setPage(undefined);
  }, [filterKey]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const id = ++request.current;
    if (!polled.current) setLoading(true);
    polled.current = false;
    api
      .listIncidents({ ...(JSON.parse(filterKey) as IncidentQuery), cursor })
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
  }, [api, filterKey, cursor, tick]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') {
        polled.current = true;
        setTick(n => n + 1);
      }
    }, MONITORING_POLL_MS);
    return () => clearInterval(timer);
  }, []);

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
