import { useCallback } from 'react';
import { useApi } from '@backstage/frontend-plugin-api';
import type { IncidentListResult } from '@internal/backstage-plugin-portainer-common';
import { portainerApiRef, type IncidentQuery } from '../../api/PortainerClient';
import { useCursorPages } from '../../hooks/useCursorPages';
import { MONITORING_POLL_MS } from '../containers/useEndpoints';

/**
 * One page of incidents at a time, walked with the API's cursor, asked
 * again every 10 s while the tab is visible. New filters start over.
 */
export function useIncidentList(filters: Omit<IncidentQuery, 'cursor'>) {
  const api = useApi(portainerApiRef);
  const fetchPage = useCallback(
    (query: IncidentQuery): Promise<IncidentListResult> =>
      api.listIncidents(query),
    [api],
  );
  return useCursorPages(fetchPage, filters, () => MONITORING_POLL_MS);
}
