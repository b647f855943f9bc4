import { NotFoundError } from '@backstage/errors';
import type {
  Incident,
  IncidentDetail,
  IncidentListFilter,
  IncidentListResult,
} from '@internal/backstage-plugin-portainer-common';
import type {
  IncidentEngine,
  IncidentStore,
} from '@internal/backstage-plugin-portainer-node';

/**
 * The incidents API's rules: listing and reading from the store, and the
 * changes people make (acknowledge, resolve) through the engine, which
 * records them on the incident's timeline.
 */
export class IncidentService {
  constructor(
    private readonly deps: {
      store: IncidentStore;
      /** Undefined when monitoring is disabled: incidents stay readable. */
      engine?: IncidentEngine;
    },
  ) {}

  list(
    filter: IncidentListFilter,
    page: { cursor?: string; limit: number },
  ): Promise<IncidentListResult> {
    return this.deps.store.listIncidents(filter, page);
  }

  async get(id: string): Promise<IncidentDetail> {
    const incident = await this.deps.store.getIncident(id);
    if (!incident) throw new NotFoundError(`No incident ${id}`);
    const timeline = await this.deps.store.listTimeline(id);
    return { ...incident, timeline };
  }

  /** `NotFoundError` when unknown, `ConflictError` when resolved. */
  ack(id: string, by: string): Promise<Incident> {
    return this.deps.engine
      ? this.deps.engine.ack(id, by)
      : this.deps.store.acknowledge(id, by, new Date());
  }

  /** `NotFoundError` when unknown, `ConflictError` when already resolved. */
  resolve(id: string, by: string): Promise<Incident> {
    return this.deps.engine
      ? this.deps.engine.resolve(id, by)
      : this.deps.store.resolve(id, by, new Date());
  }
}
