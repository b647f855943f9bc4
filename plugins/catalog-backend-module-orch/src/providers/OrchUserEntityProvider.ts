import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
  SchedulerServiceTaskScheduleDefinition,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  CompoundEntityRef,
  DEFAULT_NAMESPACE,
  UserEntity,
  parseEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { ResponseError, toError } from '@backstage/errors';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';

/**
 * Annotation carrying the Orch user id (`users.id`) of a `User` entity.
 * @public
 */
export const ORCH_USER_ID_ANNOTATION = 'orch.dev/user-id';

/**
 * The fields of a user from the orch API (`GET /api/orch/v1/users`) that the
 * provider maps; the API sends more (`roles`, timestamps…), which are ignored.
 * @public
 */
export interface OrchUserRecord {
  id: string;
  email: string;
  displayName: string;
  entityRef: string;
  status: 'active' | 'disabled';
}

/** @public */
export interface OrchUserEntityProviderOptions {
  auth: AuthService;
  discovery: DiscoveryService;
  logger: LoggerService;
  /** Runs {@link OrchUserEntityProvider.refresh} on the provider's schedule. */
  taskRunner: SchedulerServiceTaskRunner;
}

const SCHEDULE_CONFIG_KEY = 'orch.catalog.users.schedule';
const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 30 },
  timeout: { minutes: 1 },
};
// The location every entity of this provider claims: also its location key,
// so a `User` of the same name from another source is reported as a
// conflict instead of silently replacing (or being replaced by) this one.
const LOCATION_REF = 'orch:users';
const PAGE_SIZE = 500;
// A safety net against a server that keeps handing out cursors: 200 pages of
// 500 are far more users than one Orch installation holds.
const MAX_PAGES = 200;

/**
 * Mirrors Orch's active users (the orch plugin's `users` table) as catalog
 * `User` entities, so sign-in resolvers, ownership and the org pages see them.
 *
 * Each run reads every active user and replaces the provider's entities as a
 * whole (a full mutation): a user disabled or deleted in Orch disappears from
 * the catalog on the next run. A run that cannot read the complete list
 * changes nothing.
 * @public
 */
export class OrchUserEntityProvider implements EntityProvider {
  static fromConfig(
    config: Config,
    options: {
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
      scheduler: SchedulerService;
    },
  ): OrchUserEntityProvider {
    const schedule = config.has(SCHEDULE_CONFIG_KEY)
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig(SCHEDULE_CONFIG_KEY),
        )
      : DEFAULT_SCHEDULE;
    return new OrchUserEntityProvider({
      auth: options.auth,
      discovery: options.discovery,
      logger: options.logger,
      // One replica at a time runs the refresh, whatever the config says.
      taskRunner: options.scheduler.createScheduledTaskRunner({
        ...schedule,
        scope: 'global',
      }),
    });
  }

  readonly #auth: AuthService;
  readonly #discovery: DiscoveryService;
  readonly #logger: LoggerService;
  readonly #taskRunner: SchedulerServiceTaskRunner;
  #connection?: EntityProviderConnection;

  constructor(options: OrchUserEntityProviderOptions) {
    this.#auth = options.auth;
    this.#discovery = options.discovery;
    this.#logger = options.logger.child({ provider: this.getProviderName() });
    this.#taskRunner = options.taskRunner;
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return 'OrchUserEntityProvider';
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
    await this.#taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: signal => this.refresh({ signal }),
    });
  }

  /**
   * Reads Orch's active users and replaces the provider's `User` entities
   * with them. A failed read is logged as a warning and leaves the catalog
   * as it was.
   */
  async refresh(options?: { signal?: AbortSignal }): Promise<void> {
    if (!this.#connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    let users: OrchUserRecord[];
    try {
      users = await this.#readActiveUsers(options?.signal);
    } catch (error) {
      this.#logger.warn(
        'Could not read the Orch users; keeping the current User entities',
        toError(error),
      );
      return;
    }
    const entities = users.flatMap(user => this.#toDeferredEntity(user));
    await this.#connection.applyMutation({ type: 'full', entities });
    this.#logger.debug(`Provided ${entities.length} User entities`);
  }

  async #readActiveUsers(signal?: AbortSignal): Promise<OrchUserRecord[]> {
    const baseUrl = await this.#discovery.getBaseUrl('orch');
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: await this.#auth.getOwnServiceCredentials(),
      targetPluginId: 'orch',
    });
    const users: OrchUserRecord[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({
        status: 'active',
        limit: String(PAGE_SIZE),
      });
      if (cursor) {
        query.set('cursor', cursor);
      }
      const response = await fetch(`${baseUrl}/v1/users?${query}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal,
      });
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      const body = parseUserPage(await response.json());
      // Asked for active users only; a disabled one that slips through (an
      // older server ignoring the filter) must still not become an entity.
      users.push(...body.items.filter(user => user.status !== 'disabled'));
      if (!body.nextCursor) {
        return users;
      }
      cursor = body.nextCursor;
    }
    throw new Error(`The users list did not end within ${MAX_PAGES} pages`);
  }

  #toDeferredEntity(user: OrchUserRecord): DeferredEntity[] {
    let ref: CompoundEntityRef;
    try {
      ref = parseEntityRef(user.entityRef, {
        defaultKind: 'user',
        defaultNamespace: DEFAULT_NAMESPACE,
      });
    } catch {
      this.#logger.warn(
        `Skipping Orch user ${user.id}: invalid entity ref '${user.entityRef}'`,
      );
      return [];
    }
    if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
      this.#logger.warn(
        `Skipping Orch user ${user.id}: entity ref '${user.entityRef}' is not a User`,
      );
      return [];
    }
    const entity: UserEntity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        annotations: {
          [ANNOTATION_LOCATION]: LOCATION_REF,
          [ANNOTATION_ORIGIN_LOCATION]: LOCATION_REF,
          [ORCH_USER_ID_ANNOTATION]: user.id,
        },
      },
      spec: {
        // The User schema wants each profile field non-empty when present.
        profile: {
          ...(user.email ? { email: user.email } : {}),
          ...(user.displayName ? { displayName: user.displayName } : {}),
        },
        memberOf: [],
      },
    };
    return [{ entity, locationKey: LOCATION_REF }];
  }
}

function parseUserPage(body: unknown): {
  items: OrchUserRecord[];
  nextCursor?: string;
} {
  const page = body as { items?: unknown; nextCursor?: unknown } | null;
  if (!page || !Array.isArray(page.items)) {
    throw new Error('Unexpected users response: no items array');
  }
  for (const item of page.items as Partial<OrchUserRecord>[]) {
    if (
      typeof item?.id !== 'string' ||
      typeof item.email !== 'string' ||
      typeof item.entityRef !== 'string'
    ) {
      throw new Error(
        'Unexpected users response: a user without id, email or entityRef',
      );
    }
  }
  if (
    page.nextCursor !== undefined &&
    page.nextCursor !== null &&
    typeof page.nextCursor !== 'string'
  ) {
    throw new Error('Unexpected users response: nextCursor is not a string');
  }
  return {
    items: page.items as OrchUserRecord[],
    nextCursor: (page.nextCursor as string | null) ?? undefined,
  };
}
