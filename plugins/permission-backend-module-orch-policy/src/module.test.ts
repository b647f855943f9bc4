import {
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  type TestBackend,
} from '@backstage/backend-test-utils';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  type Permission,
} from '@backstage/plugin-permission-common';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  taskReadPermission,
  templateParameterReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  type OrchRole,
  connectionDeletePermission,
  connectionReadPermission,
  jobCancelPermission,
  orchPermissions,
  runbookExecutePermission,
  runbookReadPermission,
  userManagePermission,
} from '@internal/backstage-plugin-orch-common';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import { createFakeOrch, type FakeOrch } from './__testUtils__/fakeOrchPlugin';
import permissionModuleOrchPolicy from './index';

const ADMIN = 'user:default/alice';
const OPERATOR = 'user:default/oscar';
const VIEWER = 'user:default/vera';
const NO_ROLES = 'user:default/nora';
const DISABLED = 'user:default/dora';
const UNKNOWN = 'user:default/nobody';

async function startBackend(
  fake: FakeOrch,
  options: { cacheSeconds: number; ownershipEntityRefs?: string[] },
): Promise<TestBackend> {
  const features = [
    permissionPlugin,
    permissionModuleOrchPolicy,
    fake.feature,
    mockServices.rootConfig.factory({
      data: {
        permission: { enabled: true },
        orch: { rbac: { cacheSeconds: options.cacheSeconds } },
      },
    }),
  ];
  const { ownershipEntityRefs } = options;
  if (ownershipEntityRefs) {
    features.push(
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          async getUserInfo(credentials) {
            const { userEntityRef } = credentials.principal as {
              userEntityRef: string;
            };
            return { userEntityRef, ownershipEntityRefs };
          },
        }),
      }),
    );
  }
  return startTestBackend({ features });
}

/** Asks `/api/permission/authorize` as `userEntityRef`, one item each. */
async function authorize(
  backend: TestBackend,
  userEntityRef: string,
  permissions: Permission[],
): Promise<AuthorizeResult[]> {
  const res = await request(backend.server)
    .post('/api/permission/authorize')
    .set('Authorization', mockCredentials.user.header(userEntityRef))
    .send({
      items: permissions.map((permission, i) => ({
        id: String(i),
        permission,
        ...(permission.type === 'resource' && {
          resourceRef: 'component:default/example',
        }),
      })),
    });
  expect(res.status).toBe(200);
  return res.body.items.map((item: { result: AuthorizeResult }) => item.result);
}

const { ALLOW, DENY } = AuthorizeResult;

describe('permissionModuleOrchPolicy', () => {
  describe('with each role', () => {
    let fake: FakeOrch;
    let backend: TestBackend;

    beforeAll(async () => {
      fake = createFakeOrch({
        [ADMIN]: { active: true, roles: ['admin'] },
        [OPERATOR]: { active: true, roles: ['operator'] },
        [VIEWER]: { active: true, roles: ['viewer'] },
        [NO_ROLES]: { active: true, roles: [] },
        [DISABLED]: { active: false, roles: ['admin'] },
      });
      backend = await startBackend(fake, { cacheSeconds: 60 });
    });

    afterAll(() => backend.stop());

    const orchAllowed: Record<OrchRole, string[]> = {
      admin: orchPermissions.map(p => p.name),
      operator: [
        'orch.runbook.read',
        'orch.runbook.execute',
        'orch.job.read',
        'orch.job.cancel',
        'orch.job.relaunch',
        'orch.connection.read',
      ],
      viewer: ['orch.runbook.read', 'orch.job.read'],
    };

    it.each([
      [ADMIN, 'admin'],
      [OPERATOR, 'operator'],
      [VIEWER, 'viewer'],
    ] as const)(
      'decides every orch permission for %s (%s)',
      async (ref, role) => {
        const results = await authorize(backend, ref, orchPermissions);
        expect(
          Object.fromEntries(
            orchPermissions.map((p, i) => [p.name, results[i]]),
          ),
        ).toEqual(
          Object.fromEntries(
            orchPermissions.map(p => [
              p.name,
              orchAllowed[role].includes(p.name) ? ALLOW : DENY,
            ]),
          ),
        );
      },
    );

    const others: Array<
      [Permission, [AuthorizeResult, AuthorizeResult, AuthorizeResult]]
    > = [
      // [permission, [admin, operator, viewer]]
      [catalogEntityReadPermission, [ALLOW, ALLOW, ALLOW]],
      [catalogLocationReadPermission, [ALLOW, ALLOW, ALLOW]],
      [catalogEntityCreatePermission, [ALLOW, DENY, DENY]],
      [catalogEntityDeletePermission, [ALLOW, DENY, DENY]],
      [taskCreatePermission, [ALLOW, ALLOW, DENY]],
      [taskReadPermission, [ALLOW, ALLOW, ALLOW]],
      [taskCancelPermission, [ALLOW, ALLOW, DENY]],
      [actionExecutePermission, [ALLOW, ALLOW, DENY]],
      [templateParameterReadPermission, [ALLOW, ALLOW, ALLOW]],
    ];

    it.each(others.map(([p, expected]) => [p.name, p, expected] as const))(
      'decides %s for admin, operator and viewer',
      async (_name, permission, expected) => {
        const results = await Promise.all(
          [ADMIN, OPERATOR, VIEWER].map(
            async ref => (await authorize(backend, ref, [permission]))[0],
          ),
        );
        expect(results).toEqual(expected);
      },
    );

    it.each([
      ['without roles', NO_ROLES],
      ['disabled, even with a role', DISABLED],
      ['unknown to orch', UNKNOWN],
    ])('denies everything to a user %s', async (_what, ref) => {
      const all = [
        ...orchPermissions,
        ...others.map(([permission]) => permission),
      ];
      const results = await authorize(backend, ref, all);
      expect(results).toEqual(all.map(() => DENY));
    });

    it('asks orch with its own service token, once per user within the cache window', async () => {
      await authorize(backend, VIEWER, [runbookReadPermission]);
      await authorize(backend, VIEWER, [jobCancelPermission]);
      const asked = fake.requests.filter(r => r.body.userEntityRef === VIEWER);
      // Looked up once, by an earlier test or by this one.
      expect(asked).toHaveLength(1);
      expect(asked[0]).toEqual({
        subject: 'plugin:permission',
        body: { userEntityRef: VIEWER, ownershipEntityRefs: [VIEWER] },
      });
    });

    it('does not see a role change within the cache window', async () => {
      await authorize(backend, OPERATOR, [runbookExecutePermission]);
      fake.setPrincipal(OPERATOR, { active: true, roles: ['viewer'] });
      expect(
        await authorize(backend, OPERATOR, [runbookExecutePermission]),
      ).toEqual([ALLOW]);
      fake.setPrincipal(OPERATOR, { active: true, roles: ['operator'] });
    });

    it('decides for plugins through their permissions service, users by role', async () => {
      const permissions = fake.permissions();
      const decide = async (
        credentials: Parameters<typeof permissions.authorize>[1],
      ) =>
        (
          await permissions.authorize(
            [
              { permission: runbookExecutePermission },
              { permission: connectionReadPermission },
              { permission: userManagePermission },
            ],
            credentials,
          )
        ).map(d => d.result);

      expect(
        await decide({ credentials: mockCredentials.user(OPERATOR) }),
      ).toEqual([ALLOW, ALLOW, DENY]);
      expect(
        await decide({ credentials: mockCredentials.user(VIEWER) }),
      ).toEqual([DENY, DENY, DENY]);
    });

    it('leaves service principals to Backstage: allowed without asking orch', async () => {
      const asked = fake.requests.length;
      const decisions = await fake
        .permissions()
        .authorize([{ permission: connectionDeletePermission }], {
          credentials: mockCredentials.service('plugin:catalog'),
        });
      expect(decisions.map(d => d.result)).toEqual([ALLOW]);
      expect(fake.requests).toHaveLength(asked);
    });
  });

  describe('with cacheSeconds 0', () => {
    let fake: FakeOrch;
    let backend: TestBackend;

    beforeAll(async () => {
      fake = createFakeOrch({ [VIEWER]: { active: true, roles: ['viewer'] } });
      backend = await startBackend(fake, { cacheSeconds: 0 });
    });

    afterAll(() => backend.stop());

    it('picks up a role change and a disabled user on the next check', async () => {
      expect(
        await authorize(backend, VIEWER, [runbookExecutePermission]),
      ).toEqual([DENY]);

      fake.setPrincipal(VIEWER, { active: true, roles: ['operator'] });
      expect(
        await authorize(backend, VIEWER, [runbookExecutePermission]),
      ).toEqual([ALLOW]);

      fake.setPrincipal(VIEWER, { active: false, roles: ['operator'] });
      expect(
        await authorize(backend, VIEWER, [
          runbookReadPermission,
          catalogEntityReadPermission,
        ]),
      ).toEqual([DENY, DENY]);
    });

    it('fails closed while orch answers 500, and recovers after', async () => {
      fake.setPrincipal(ADMIN, { active: true, roles: ['admin'] });
      expect(await authorize(backend, ADMIN, [userManagePermission])).toEqual([
        ALLOW,
      ]);

      fake.failWith(500);
      const asked = fake.requests.length;
      expect(
        await authorize(backend, ADMIN, [
          userManagePermission,
          runbookReadPermission,
          catalogEntityReadPermission,
        ]),
      ).toEqual([DENY, DENY, DENY]);
      expect(fake.requests.length).toBeGreaterThan(asked);

      fake.failWith(undefined);
      expect(await authorize(backend, ADMIN, [userManagePermission])).toEqual([
        ALLOW,
      ]);
    });
  });

  describe('with group ownership', () => {
    it("sends the user's ownership refs so that orch can grant roles through groups", async () => {
      const fake = createFakeOrch();
      const backend = await startBackend(fake, {
        cacheSeconds: 5,
        ownershipEntityRefs: [OPERATOR, 'group:default/sre'],
      });
      try {
        await authorize(backend, OPERATOR, [runbookReadPermission]);
        expect(fake.requests.map(r => r.body)).toEqual([
          {
            userEntityRef: OPERATOR,
            ownershipEntityRefs: [OPERATOR, 'group:default/sre'],
          },
        ]);
      } finally {
        await backend.stop();
      }
    });
  });
});
