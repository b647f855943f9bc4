import type { Config } from '@backstage/config';
import {
  isOrchRole,
  ORCH_ROLES,
  type OrchRole,
} from '@internal/backstage-plugin-orch-common';
import type { DatabaseUserStore, OrchUser } from '@internal/backstage-plugin-orch-node';

/** Who a user is to Orch's policy: whether they may act, and their roles. */
export type OrchPrincipal = {
  userEntityRef: string;
  active: boolean;
  roles: OrchRole[];
  user?: OrchUser;
};

/**
 * Resolves a signed-in user to Orch roles: the roles stored for the Orch
 * user with that entity ref, plus the roles config grants to catalog groups
 * the user belongs to (`orch.rbac.groupRoles`: a list of `{group, roles}`). A disabled user, and one who
 * must still replace a one-time password, holds no role.
 */
export class PrincipalService {
  constructor(
    private readonly users: DatabaseUserStore,
    private readonly groupRoles: Map<string, OrchRole[]>,
  ) {}

  static fromConfig(config: Config, users: DatabaseUserStore): PrincipalService {
    const map = new Map<string, OrchRole[]>();
    // A list, not a map: config keys cannot hold entity refs' ':' and '/'.
    const entries = config.getOptionalConfigArray('orch.rbac.groupRoles') ?? [];
    entries.forEach((entry, i) => {
      const group = entry.getString('group');
      const roles = entry.getStringArray('roles');
      for (const role of roles) {
        if (!isOrchRole(role)) {
          throw new Error(
            `orch.rbac.groupRoles[${i}].roles: '${role}' is not one of ${ORCH_ROLES.join(', ')}`,
          );
        }
      }
      const key = group.toLocaleLowerCase('en-US');
      map.set(key, [...(map.get(key) ?? []), ...(roles as OrchRole[])]);
    });
    return new PrincipalService(users, map);
  }

  async resolve(
    userEntityRef: string,
    ownershipEntityRefs: string[] = [],
  ): Promise<OrchPrincipal> {
    const user = await this.users.getByEntityRef(userEntityRef);
    if (user && (user.status !== 'active' || user.mustChangePassword)) {
      return { userEntityRef, active: false, roles: [], user };
    }
    const roles = new Set<OrchRole>(user?.roles ?? []);
    for (const ref of ownershipEntityRefs) {
      for (const role of this.groupRoles.get(ref.toLocaleLowerCase('en-US')) ?? []) {
        roles.add(role);
      }
    }
    const list = ORCH_ROLES.filter(r => roles.has(r));
    return { userEntityRef, active: list.length > 0, roles: list, user };
  }
}
