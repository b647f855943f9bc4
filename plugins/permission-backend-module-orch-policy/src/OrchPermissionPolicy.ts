import type {
  AuthService,
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { rolesAllow } from '@internal/backstage-plugin-orch-common';
import type { OrchPrincipalClient } from './OrchPrincipalClient';

/** @public */
export interface OrchPermissionPolicyOptions {
  auth: AuthService;
  userInfo: UserInfoService;
  logger: LoggerService;
  principals: OrchPrincipalClient;
  /**
   * While look-ups keep failing, a new warning is logged at most this often.
   * @defaultValue 60000
   */
  warnEveryMs?: number;
  /**
   * The clock, in milliseconds.
   * @defaultValue Date.now
   */
  now?: () => number;
}

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * Orch's permission policy: a user may do what their Orch roles allow
 * (`rolesAllow`), as long as the orch plugin says they are active.
 *
 * Service principals never get here: Backstage's permissions service decides
 * them from their access restrictions without asking the permission backend.
 * The permission backend calls the policy without a user only for the `none`
 * principal, which is denied. When the orch plugin cannot be asked, every
 * user is denied (fail closed) and a warning is logged once per burst of
 * failures.
 * @public
 */
export class OrchPermissionPolicy implements PermissionPolicy {
  readonly #auth: AuthService;
  readonly #userInfo: UserInfoService;
  readonly #logger: LoggerService;
  readonly #principals: OrchPrincipalClient;
  readonly #warnEveryMs: number;
  readonly #now: () => number;
  /** When the current burst of failures was last warned about, if any. */
  #lastWarnedAt: number | undefined;
  #failuresSinceWarning = 0;

  constructor(options: OrchPermissionPolicyOptions) {
    this.#auth = options.auth;
    this.#userInfo = options.userInfo;
    this.#logger = options.logger;
    this.#principals = options.principals;
    this.#warnEveryMs = options.warnEveryMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user || !this.#auth.isPrincipal(user.credentials, 'user')) {
      return DENY;
    }
    const credentials = user.credentials;
    const userEntityRef = credentials.principal.userEntityRef;

    let principal;
    try {
      principal = await this.#principals.getPrincipal(
        userEntityRef,
        async () => {
          const info = await this.#userInfo.getUserInfo(credentials);
          return info.ownershipEntityRefs;
        },
      );
    } catch (error) {
      this.#warnFailure(error);
      return DENY;
    }
    this.#recovered();

    if (principal.active && rolesAllow(principal.roles, request.permission)) {
      return ALLOW;
    }
    return DENY;
  }

  #warnFailure(error: unknown) {
    const now = this.#now();
    this.#failuresSinceWarning += 1;
    if (
      this.#lastWarnedAt !== undefined &&
      now - this.#lastWarnedAt < this.#warnEveryMs
    ) {
      return;
    }
    const also =
      this.#failuresSinceWarning > 1
        ? ` (${
            this.#failuresSinceWarning - 1
          } more failed since the last warning)`
        : '';
    this.#logger.warn(
      `Denying permission requests: cannot get user roles from the orch plugin${also}: ${error}`,
    );
    this.#lastWarnedAt = now;
    this.#failuresSinceWarning = 0;
  }

  #recovered() {
    if (this.#lastWarnedAt === undefined) {
      return;
    }
    this.#logger.info('User roles are available from the orch plugin again');
    this.#lastWarnedAt = undefined;
    this.#failuresSinceWarning = 0;
  }
}
