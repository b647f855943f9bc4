import { mockCredentials } from '@backstage/backend-test-utils';
import type { Runbook } from '@internal/backstage-plugin-orch-common';
import type { PrincipalService } from './PrincipalService';
import { RunbookAccess } from './RunbookAccess';

/** Who is who: roles and catalog groups per user ref. */
const PEOPLE: Record<string, { roles: string[]; groups: string[] }> = {
  'user:default/op': { roles: ['operator'], groups: [] },
  'user:default/sre': { roles: ['operator'], groups: ['group:default/sre'] },
  'user:default/viewer-sre': { roles: ['viewer'], groups: ['group:default/sre'] },
  'user:default/root': { roles: ['admin'], groups: [] },
};

const access = new RunbookAccess(
  {
    resolve: async (ref: string) => ({
      userEntityRef: ref,
      active: true,
      roles: PEOPLE[ref].roles,
    }),
  } as unknown as PrincipalService,
  {
    getUserInfo: async (c: any) => ({
      userEntityRef: c.principal.userEntityRef,
      ownershipEntityRefs: [c.principal.userEntityRef, ...PEOPLE[c.principal.userEntityRef].groups],
    }),
  },
);

const runbook = {
  name: 'drop_db',
  access: {
    roles: ['operator', 'admin'],
    environments: { prod: { roles: ['operator'], groups: ['group:default/SRE'] } },
  },
} as unknown as Runbook;

const check = (ref: string, env: string) =>
  access.check(runbook, env, mockCredentials.user(ref));

describe('RunbookAccess', () => {
  it('needs one of the runbook roles', async () => {
    await expect(check('user:default/viewer-sre', 'stage')).rejects.toThrow(
      'Runbook drop_db may be run only by operator, admin',
    );
    await expect(check('user:default/op', 'stage')).resolves.toBeUndefined();
  });

  it('needs the environment role AND group, groups compared without case', async () => {
    await expect(check('user:default/op', 'prod')).rejects.toThrow(
      'Runbook drop_db runs in prod only for roles operator who are members of group:default/SRE',
    );
    await expect(check('user:default/sre', 'prod')).resolves.toBeUndefined();
  });

  it('never narrows administrators or service principals, nor runbooks without rules', async () => {
    await expect(check('user:default/root', 'prod')).resolves.toBeUndefined();
    await expect(
      access.check(runbook, 'prod', mockCredentials.service('plugin:scaffolder')),
    ).resolves.toBeUndefined();
    await expect(
      access.check({ name: 'hello' } as Runbook, 'prod', mockCredentials.user('user:default/op')),
    ).resolves.toBeUndefined();
  });
});
