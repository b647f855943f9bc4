import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  stackOf,
  type ContainerDetail,
  type ContainerList,
  type ContainerState,
  type ContainerSummary,
  type ItemList,
  type Service,
  type Stack,
} from '@internal/backstage-plugin-portainer-common';
import type { PortainerConfig } from './config';
import {
  deadline,
  DockerApiError,
  type RawContainer,
  type RawService,
} from './docker/DockerApi';
import {
  callEndpoint,
  endpointError,
  type EndpointRegistry,
  type ResolvedEndpoint,
} from './EndpointRegistry';
import { EndpointUnavailableError } from './errors';
import { toDetail, toService, toSummary, withInspect } from './mappers';

/** Filters of a container listing; all must match. */
export type ContainerFilters = {
  status?: ContainerState;
  stack?: string;
  service?: string;
  /** `key` (present) or `key=value`, matched against the redacted labels. */
  labels?: Array<{ key: string; value?: string }>;
};

type CachedInventory = { items: ContainerSummary[]; fetchedAt: number };

const INSPECT_CONCURRENCY = 16;

function matches(c: ContainerSummary, f: ContainerFilters): boolean {
  if (f.status && c.state !== f.status) return false;
  if (f.stack && c.stack !== f.stack) return false;
  if (f.service && c.service !== f.service) return false;
  for (const { key, value } of f.labels ?? []) {
    if (!(key in c.labels)) return false;
    if (value !== undefined && c.labels[key] !== value) return false;
  }
  return true;
}

/** A Docker "not a swarm manager" answer (503 with a message saying so). */
function notSwarmManager(e: unknown): boolean {
  return (
    e instanceof DockerApiError && e.status === 503 && /swarm/i.test(e.message)
  );
}

/**
 * Containers, Swarm services and stacks of an endpoint. Keeps each
 * endpoint's last container listing: when the endpoint cannot be reached,
 * that listing is served marked stale, with its age, for up to
 * `inventory.maxStaleSeconds`.
 */
export class ContainerService {
  private readonly inventories = new Map<string, CachedInventory>();

  constructor(
    private readonly deps: {
      registry: EndpointRegistry;
      config: PortainerConfig;
      logger: LoggerService;
    },
  ) {}

  async listContainers(
    endpointId: string,
    filters: ContainerFilters = {},
  ): Promise<ContainerList> {
    const { requestMs } = this.deps.config.timeouts;
    const signal = deadline(requestMs);
    let endpoint: ResolvedEndpoint;
    let raw: RawContainer[];
    try {
      endpoint = await this.deps.registry.resolve(endpointId);
      raw = await callEndpoint(
        endpoint.ref,
        requestMs,
        s => endpoint.docker.listContainers(s),
        signal,
      );
    } catch (e) {
      return this.stale(endpointId, filters, e);
    }
    const fetchedAt = Date.now();
    const all = raw.map(toSummary);
    this.inventories.set(endpointId, { items: all, fetchedAt });

    let items = all.filter(c => matches(c, filters));
    const detailed = items.length <= this.deps.config.inventory.inspectLimit;
    let complete = detailed;
    if (detailed) {
      ({ items, complete } = await this.inspectAll(endpoint, items, signal));
    }
    return {
      endpointId,
      items,
      fetchedAt: new Date(fetchedAt).toISOString(),
      stale: false,
      ageSeconds: 0,
      detailed: complete,
    };
  }

  async getContainer(endpointId: string, id: string): Promise<ContainerDetail> {
    const endpoint = await this.deps.registry.resolve(endpointId);
    const inspect = await this.call(endpoint, id, s =>
      endpoint.docker.inspectContainer(id, s),
    );
    return toDetail(endpointId, inspect);
  }

  async listServices(endpointId: string): Promise<ItemList<Service>> {
    const endpoint = await this.deps.registry.resolve(endpointId);
    const raw = await this.services(endpoint);
    return {
      endpointId,
      items: (raw ?? [])
        .map(toService)
        .sort((a, b) => a.name.localeCompare(b.name)),
      swarm: raw !== undefined,
    };
  }

  /**
   * Stacks: Portainer's own (for Portainer endpoints) and those the labels
   * of services and containers name, with their counts.
   */
  async listStacks(endpointId: string): Promise<ItemList<Stack>> {
    const endpoint = await this.deps.registry.resolve(endpointId);
    const { requestMs } = this.deps.config.timeouts;
    const [containers, services, portainerStacks] = await Promise.all([
      callEndpoint(endpoint.ref, requestMs, s =>
        endpoint.docker.listContainers(s),
      ),
      this.services(endpoint),
      endpoint.portainer
        ? callEndpoint(endpoint.ref, requestMs, s =>
            endpoint.portainer!.stacks(s),
          )
        : Promise.resolve([]),
    ]);

    const stacks = new Map<string, Stack>();
    const stackNamed = (name: string, type: Stack['type']) => {
      let stack = stacks.get(name);
      if (!stack) {
        stack = {
          name,
          type,
          source: 'labels',
          services: 0,
          containers: 0,
          running: 0,
        };
        stacks.set(name, stack);
      }
      return stack;
    };
    for (const p of portainerStacks) {
      if (p.Type !== 1 && p.Type !== 2) continue;
      const stack = stackNamed(p.Name, p.Type === 1 ? 'swarm' : 'compose');
      stack.source = 'portainer';
      stack.portainerId = p.Id;
      if (p.Status) stack.status = p.Status === 1 ? 'active' : 'inactive';
      if (p.CreationDate)
        stack.createdAt = new Date(p.CreationDate * 1000).toISOString();
      if (p.UpdateDate)
        stack.updatedAt = new Date(p.UpdateDate * 1000).toISOString();
    }
    for (const s of services ?? []) {
      const name = s.Spec?.Labels?.['com.docker.stack.namespace'];
      if (name) stackNamed(name, 'swarm').services++;
    }
    for (const c of containers) {
      const name = stackOf(c.Labels);
      if (!name) continue;
      const stack = stackNamed(
        name,
        c.Labels?.['com.docker.stack.namespace'] ? 'swarm' : 'compose',
      );
      stack.containers++;
      if (c.State === 'running') stack.running++;
    }
    return {
      endpointId,
      items: [...stacks.values()].sort((a, b) => a.name.localeCompare(b.name)),
      swarm: services !== undefined,
    };
  }

  /** The endpoint's services; undefined when it is not a swarm manager. */
  private async services(
    endpoint: ResolvedEndpoint,
  ): Promise<RawService[] | undefined> {
    const { requestMs } = this.deps.config.timeouts;
    try {
      return await endpoint.docker.listServices(deadline(requestMs));
    } catch (e) {
      if (notSwarmManager(e)) return undefined;
      throw endpointError(endpoint.ref, e, requestMs);
    }
  }

  /** A call about one container: 404 names the container and the endpoint. */
  private async call<T>(
    endpoint: ResolvedEndpoint,
    id: string,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const { requestMs } = this.deps.config.timeouts;
    try {
      return await run(deadline(requestMs));
    } catch (e) {
      if (e instanceof DockerApiError && e.status === 404) {
        throw new NotFoundError(
          `No container ${id} on endpoint ${endpoint.ref.name}`,
        );
      }
      throw endpointError(endpoint.ref, e, requestMs);
    }
  }

  /**
   * Inspects each container (a few at a time, within the listing's
   * deadline) for what the list does not say. A container that is gone or
   * not inspected in time keeps its list entry; `complete` says whether all were.
   */
  private async inspectAll(
    endpoint: ResolvedEndpoint,
    items: ContainerSummary[],
    signal: AbortSignal,
  ): Promise<{ items: ContainerSummary[]; complete: boolean }> {
    const out = [...items];
    let complete = true;
    let next = 0;
    const worker = async () => {
      while (next < out.length && !signal.aborted) {
        const i = next++;
        try {
          out[i] = withInspect(
            out[i],
            await endpoint.docker.inspectContainer(out[i].id, signal),
          );
        } catch {
          complete = false;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(INSPECT_CONCURRENCY, out.length) }, worker),
    );
    return { items: out, complete: complete && !signal.aborted };
  }

  /** The cached listing, marked stale, when the endpoint failed. */
  private stale(
    endpointId: string,
    filters: ContainerFilters,
    error: unknown,
  ): ContainerList {
    const cached = this.inventories.get(endpointId);
    const ageMs = cached ? Date.now() - cached.fetchedAt : 0;
    if (
      !(error instanceof EndpointUnavailableError) ||
      !cached ||
      ageMs > this.deps.config.inventory.maxStaleSeconds * 1000
    ) {
      throw error;
    }
    this.deps.logger.warn(
      `Serving a stale inventory of ${endpointId}: ${error.message}`,
    );
    return {
      endpointId,
      items: cached.items.filter(c => matches(c, filters)),
      fetchedAt: new Date(cached.fetchedAt).toISOString(),
      stale: true,
      ageSeconds: Math.floor(ageMs / 1000),
      detailed: false,
      error: error.message,
    };
  }
}
