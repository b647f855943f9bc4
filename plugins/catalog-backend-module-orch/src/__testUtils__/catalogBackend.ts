import {
  SchedulerService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { Server } from 'http';
import request from 'supertest';

/**
 * The catalog's scheduler (the mock scheduler: one instance for every
 * plugin, whose triggerTask runs the task and resolves when it is done).
 */
export function captureCatalogScheduler() {
  const captured: { scheduler?: SchedulerService } = {};
  const feature = createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-scheduler',
    register(reg) {
      reg.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          captured.scheduler = scheduler;
        },
      });
    },
  });
  return {
    feature,
    triggerTask: (id: string) => captured.scheduler!.triggerTask(id),
  };
}

/** Reads entities from the catalog's API as a user. */
export function catalogClient(server: Server) {
  const get = (path: string) =>
    request(server)
      .get(`/api/catalog${path}`)
      .set('Authorization', mockCredentials.user.header());

  /**
   * The catalog processes and stitches entities in its own loop; each probe
   * is the event waited on, bounded by a deadline (a failure, not a sleep).
   */
  async function until<T>(
    what: string,
    probe: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 60_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let value = await probe();
    while (!done(value)) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${what}: ${JSON.stringify(value)}`,
        );
      }
      value = await probe();
    }
    return value;
  }

  return {
    get,
    until,
    /** The entity, once it exists and `ready` holds for it. */
    async entity(
      kind: string,
      name: string,
      ready: (entity: Entity) => boolean = () => true,
    ): Promise<Entity> {
      const res = await until(
        `${kind}:${name}`,
        () => get(`/entities/by-name/${kind}/default/${name}`),
        r => r.status === 200 && ready(r.body),
      );
      return res.body;
    },
    /** How many entities the catalog serves for a filter (several are OR'ed). */
    async count(filter: string | string[]): Promise<number> {
      const query = [filter]
        .flat()
        .map(f => `filter=${encodeURIComponent(f)}`)
        .join('&');
      const res = await get(`/entities/by-query?${query}&limit=1`);
      if (res.status !== 200) {
        throw new Error(`by-query answered ${res.status}: ${res.text}`);
      }
      return res.body.totalItems;
    },
  };
}

/** The targets of one relation type, sorted. */
export function relationTargets(entity: Entity, type: string): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef)
    .sort();
}
