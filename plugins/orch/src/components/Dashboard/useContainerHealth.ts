import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { useLivePoll } from './useLivePoll';

// The shapes the portainer plugin answers (issue 7); only what is read here.
type Endpoint = {
  id: string;
  name: string;
  environment?: string;
  status: { reachable: boolean };
};
type Container = {
  id: string;
  name: string;
  state: string;
  status: string;
  health: string;
  exitCode?: number;
};

/** A container the dashboard counts as "in error". */
export type FailingContainer = Container & { endpoint: string };

export type ContainerHealth =
  | { configured: false }
  /** Installed, but the user's roles do not grant reading containers. */
  | { configured: true; forbidden: true }
  | {
      forbidden?: false;
      configured: true;
      endpoints: number;
      unreachable: string[];
      failing: FailingContainer[];
    };

/** Dead, restarting, unhealthy, or exited with a non-zero code. */
export function isContainerInError(container: Container): boolean {
  return (
    container.state === 'dead' ||
    container.state === 'restarting' ||
    container.health === 'unhealthy' ||
    (container.state === 'exited' &&
      container.exitCode !== undefined &&
      container.exitCode !== 0)
  );
}

/**
 * Containers in error across the monitoring plugin's endpoints. When that
 * plugin is not installed (its API answers 404) the answer says so, and the
 * widget says "not configured" instead of inventing data.
 */
export function useContainerHealth(environment?: string) {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useLivePoll<ContainerHealth>(async () => {
    const base = await discoveryApi.getBaseUrl('portainer');
    let forbidden = false;
    const get = async <T>(path: string): Promise<T | undefined> => {
      const response = await fetchApi.fetch(`${base}${path}`);
      if (response.status === 404) {
        return undefined;
      }
      if (response.status === 403) {
        forbidden = true;
        return undefined;
      }
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      return response.json();
    };
    const endpoints = await get<{ items: Endpoint[] }>('/v1/endpoints');
    if (forbidden) {
      return { configured: true, forbidden: true };
    }
    if (!endpoints) {
      return { configured: false };
    }
    const inScope = endpoints.items.filter(
      e => !environment || !e.environment || e.environment === environment,
    );
    const unreachable = inScope
      .filter(e => !e.status.reachable)
      .map(e => e.name);
    const lists = await Promise.all(
      inScope
        .filter(e => e.status.reachable)
        .map(async e => {
          const list = await get<{ items: Container[] }>(
            `/v1/containers?endpointId=${encodeURIComponent(e.id)}`,
          );
          return (list?.items ?? [])
            .filter(isContainerInError)
            .map(c => ({ ...c, endpoint: e.name }));
        }),
    );
    return {
      configured: true,
      endpoints: inScope.length,
      unreachable,
      failing: lists.flat(),
    };
  }, [discoveryApi, fetchApi, environment]);
}
