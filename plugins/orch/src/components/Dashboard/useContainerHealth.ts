import { useApi } from '@backstage/frontend-plugin-api';
import type {
  ContainerSummary,
  Incident,
} from '@internal/backstage-plugin-portainer-common';
import { portainerApiRef } from '../../api/PortainerClient';
import { errorStatus } from '../../api/runbooksApi';
import { useLivePoll } from './useLivePoll';

/** How often the widget asks again: a listing reads every endpoint. */
export const CONTAINER_HEALTH_POLL_MS = 10_000;

type Container = Pick<
  ContainerSummary,
  'id' | 'name' | 'state' | 'status' | 'health' | 'exitCode'
>;

/** A container the dashboard counts as "in error". */
export type FailingContainer = Container & {
  endpoint: string;
  endpointId: string;
};

export type ContainerHealth =
  | { configured: false }
  /** Installed, but the user's roles do not grant reading containers. */
  | { configured: true; forbidden: true }
  | {
      forbidden?: false;
      configured: true;
      endpoints: number;
      /** Names of the endpoints that did not answer: not counted. */
      unreachable: string[];
      failing: FailingContainer[];
      /** Open incidents; undefined when incidents cannot be listed. */
      incidents?: Incident[];
      /** More open incidents than listed. */
      moreIncidents?: boolean;
    };

/** Dead, restarting, unhealthy, or exited with a non-zero code. */
export function isContainerInError(container: {
  state: string;
  health: string;
  exitCode?: number;
}): boolean {
  return (
    container.state === 'dead' ||
    container.state === 'restarting' ||
    container.health === 'unhealthy' ||
    (container.state === 'exited' &&
      container.exitCode !== undefined &&
      container.exitCode !== 0)
  );
}

const INCIDENTS_SHOWN = 50;

/**
 * Containers in error across the reachable endpoints of the environment,
 * and the open incidents. When the portainer plugin is not installed (its
 * API answers 404) the answer says so, and the widget says "not
 * configured" instead of inventing data; an endpoint that does not answer
 * is named, not counted.
 */
export function useContainerHealth(environment?: string) {
  const api = useApi(portainerApiRef);
  return useLivePoll<ContainerHealth>(
    async () => {
      let endpoints;
      try {
        endpoints = (await api.listEndpoints()).items;
      } catch (e) {
        if (errorStatus(e) === 404) return { configured: false };
        if (errorStatus(e) === 403)
          return { configured: true, forbidden: true };
        throw e;
      }
      const inScope = endpoints.filter(
        e => !environment || !e.environment || e.environment === environment,
      );
      const unreachable = inScope
        .filter(e => !e.status.reachable)
        .map(e => e.name);
      const incidents = api
        .listIncidents({ status: ['open'], limit: INCIDENTS_SHOWN })
        .then(
          page => ({
            items: page.items.filter(i =>
              inScope.some(e => e.id === i.endpointId),
            ),
            more: !!page.nextCursor,
          }),
          // Incidents are optional here: the containers still count.
          () => undefined,
        );
      const lists = await Promise.all(
        inScope
          .filter(e => e.status.reachable)
          .map(async e => {
            try {
              const list = await api.listContainers({ endpointId: e.id });
              if (list.stale) {
                // An old listing is not what runs now: named, not counted.
                unreachable.push(e.name);
                return [];
              }
              return list.items
                .filter(isContainerInError)
                .map(c => ({ ...c, endpoint: e.name, endpointId: e.id }));
            } catch {
              unreachable.push(e.name);
              return [];
            }
          }),
      );
      const open = await incidents;
      return {
        configured: true,
        endpoints: inScope.length,
        unreachable,
        failing: lists.flat(),
        incidents: open?.items,
        moreIncidents: open?.more,
      };
    },
    [api, environment],
    CONTAINER_HEALTH_POLL_MS,
  );
}
