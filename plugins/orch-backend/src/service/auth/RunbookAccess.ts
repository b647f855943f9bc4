import type {
  BackstageCredentials,
  BackstageUserPrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { Runbook } from '@internal/backstage-plugin-orch-common';
import type { PrincipalService } from './PrincipalService';

/**
 * Enforces a runbook's own `access` rules on execute and relaunch, after
 * the permission policy allowed `orch.runbook.execute`. Administrators and
 * service principals (acting for a plugin that checked the user itself)
 * are not narrowed.
 */
export class RunbookAccess {
  constructor(
    private readonly principals: PrincipalService,
    private readonly userInfo: UserInfoService,
  ) {}

  async check(
    runbook: Runbook,
    environment: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    const rules = runbook.access;
    if (!rules || (credentials.principal as { type?: string }).type !== 'user') {
      return;
    }
    const info = await this.userInfo.getUserInfo(
      credentials as BackstageCredentials<BackstageUserPrincipal>,
    );
    const principal = await this.principals.resolve(
      info.userEntityRef,
      info.ownershipEntityRefs,
    );
    if (principal.roles.includes('admin')) {
      return;
    }
    const holds = (roles?: string[]) =>
      !roles || roles.some(r => (principal.roles as string[]).includes(r));
    const owned = new Set(
      info.ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
    );
    const inGroup = (groups?: string[]) =>
      !groups || groups.some(g => owned.has(g.toLocaleLowerCase('en-US')));

    if (!holds(rules.roles)) {
      throw new NotAllowedError(
        `Runbook ${runbook.name} may be run only by ${rules.roles!.join(', ')}`,
      );
    }
    const env = rules.environments?.[environment];
    if (env && !(holds(env.roles) && inGroup(env.groups))) {
      const who = [
        env.roles ? `roles ${env.roles.join(', ')}` : undefined,
        env.groups ? `members of ${env.groups.join(', ')}` : undefined,
      ]
        .filter(Boolean)
        .join(' who are ');
      throw new NotAllowedError(
        `Runbook ${runbook.name} runs in ${environment} only for ${who}`,
      );
    }
  }
}
