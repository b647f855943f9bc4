import { useApi } from '@backstage/frontend-plugin-api';
import type { Endpoint } from '@internal/backstage-plugin-portainer-common';
import { portainerApiRef } from '../../api/PortainerClient';
import { useOrchEnvironment } from '../../hooks/useOrchEnvironment';
import { useLivePoll } from '../Dashboard/useLivePoll';

/** How often the monitoring screens ask again (endpoints, containers, incidents). */
export const MONITORING_POLL_MS = 10_000;

/**
 * The Docker endpoints of the top bar's environment (an endpoint without
 * one, like `local`, is in every environment), asked again every
 * {@link MONITORING_POLL_MS} while the tab is visible.
 */
export function useEndpoints() {
  const api = useApi(portainerApiRef);
  const { environment } = useOrchEnvironment();
  const state = useLivePoll(
    () => api.listEndpoints(),
    [api],
    MONITORING_POLL_MS,
  );
  const endpoints: Endpoint[] | undefined = state.value?.items.filter(
    e => !environment || !e.environment || e.environment === environment,
  );
  return { ...state, endpoints, environment };
}

/** The endpoint asked for, else the first reachable one, else the first. */
export function pickEndpoint(
  endpoints: Endpoint[] | undefined,
  wanted: string | null,
): Endpoint | undefined {
  if (!endpoints?.length) return undefined;
  return (
    endpoints.find(e => e.id === wanted) ??
    endpoints.find(e => e.status.reachable) ??
    endpoints[0]
  );
}
