import type {
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  type TestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  type OrchRole,
  jobReadPermission,
  runbookExecutePermission,
  runbookReadPermission,
} from '@internal/backstage-plugin-orch-common';
import { createServer } from 'node:net';
import { createFakeOrch, type FakeOrch } from './__testUtils__/fakeOrchPlugin';
import { OrchPermissionPolicy } from './OrchPermissionPolicy';
import { OrchPrincipalClient } from './OrchPrincipalClient';

const VIEWER = 'user:default/vera';
const { ALLOW, DENY } = AuthorizeResult;

function discoveryAt(baseUrl: string): DiscoveryService {
  return {
    getBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}`,
    getExternalBaseUrl: async pluginId => `${baseUrl}/api/${pluginId}`,
  };
}

function userOf(userEntityRef: string): PolicyQueryUser {
  const credentials = mockCredentials.user(
    userEntityRef,
  ) as BackstageCredentials;
  return {
    credentials,
    info: { userEntityRef, ownershipEntityRefs: [userEntityRef] },
  };
}

/** A loopback port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

describe('OrchPermissionPolicy', () => {
  let fake: FakeOrch;
  let backend: TestBackend;
  let clock: number;
  let logger: ReturnType<typeof mockServices.logger.mock>;

  beforeAll(async () => {
    fake = createFakeOrch();
    backend = await startTestBackend({ features: [fake.feature] });
  });

  afterAll(() => backend.stop());

  beforeEach(() => {
    clock = 1_000_000;
    logger = mockServices.logger.mock();
    fake.failWith(undefined);
    fake.requests.length = 0;
    fake.setPrincipal(VIEWER, { active: true, roles: ['viewer'] });
  });

  function createPolicy(options?: { cacheSeconds?: number; baseUrl?: string }) {
    const auth = mockServices.auth({ pluginId: 'permission' });
    const principals = new OrchPrincipalClient({
      auth,
      discovery: discoveryAt(
        options?.baseUrl ?? `http://localhost:${backend.server.port()}`,
      ),
      cacheSeconds: options?.cacheSeconds ?? 5,
      now: () => clock,
    });
    return new OrchPermissionPolicy({
      auth,
      userInfo: mockServices.userInfo(),
      logger,
      principals,
      now: () => clock,
    });
  }

  const execute = { permission: runbookExecutePermission };

  it('denies a request without a user and asks nobody', async () => {
    const policy = createPolicy();
    expect(await policy.handle({ permission: runbookReadPermission })).toEqual({
      result: DENY,
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('keeps roles for cacheSeconds, then picks up a role change and a disabled user', async () => {
    const policy = createPolicy({ cacheSeconds: 5 });
    const user = userOf(VIEWER);
    expect((await policy.handle(execute, user)).result).toBe(DENY);

    fake.setPrincipal(VIEWER, { active: true, roles: ['operator'] });
    clock += 4_999;
    expect((await policy.handle(execute, user)).result).toBe(DENY);
    expect(fake.requests).toHaveLength(1);

    clock += 1;
    expect((await policy.handle(execute, user)).result).toBe(ALLOW);
    expect(fake.requests).toHaveLength(2);

    fake.setPrincipal(VIEWER, { active: false, roles: ['operator'] });
    clock += 5_000;
    expect((await policy.handle(execute, user)).result).toBe(DENY);
    expect(fake.requests).toHaveLength(3);
  });

  it('shares one look-up between concurrent checks of a user', async () => {
    const policy = createPolicy();
    const user = userOf(VIEWER);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        policy.handle(
          { permission: i % 2 ? jobReadPermission : runbookExecutePermission },
          user,
        ),
      ),
    );
    expect(results.map(r => r.result)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? ALLOW : DENY)),
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('grants nothing for roles it does not know', async () => {
    fake.setPrincipal(VIEWER, {
      active: true,
      roles: ['root', 'Admin'] as unknown as OrchRole[],
    });
    const policy = createPolicy();
    expect((await policy.handle(execute, userOf(VIEWER))).result).toBe(DENY);
    expect(
      (
        await policy.handle(
          { permission: runbookReadPermission },
          userOf(VIEWER),
        )
      ).result,
    ).toBe(DENY);
  });

  it('fails closed on errors, warns once per burst, and does not keep failures', async () => {
    const policy = createPolicy({ cacheSeconds: 5 });
    const user = userOf(VIEWER);
    fake.failWith(500);

    for (let i = 0; i < 5; i++) {
      expect(
        (await policy.handle({ permission: runbookReadPermission }, user))
          .result,
      ).toBe(DENY);
    }
    // Failures are not cached: each check asked again.
    expect(fake.requests).toHaveLength(5);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toMatch(
      /cannot get user roles from the orch plugin.*answered 500/,
    );

    // A long outage is reminded of, with the number of failures in between.
    clock += 60_000;
    await policy.handle({ permission: runbookReadPermission }, user);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1][0]).toMatch(/4 more failed/);

    // Recovery is immediate and said once; a new failure starts a new burst.
    fake.failWith(undefined);
    expect(
      (await policy.handle({ permission: runbookReadPermission }, user)).result,
    ).toBe(ALLOW);
    expect(logger.info).toHaveBeenCalledTimes(1);

    fake.failWith(503);
    const other = userOf('user:default/someone-else');
    expect((await policy.handle(execute, other)).result).toBe(DENY);
    expect(logger.warn).toHaveBeenCalledTimes(3);
  });

  it('fails closed when orch cannot be reached at all', async () => {
    const policy = createPolicy({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
    });
    expect(
      (
        await policy.handle(
          { permission: runbookReadPermission },
          userOf(VIEWER),
        )
      ).result,
    ).toBe(DENY);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
