import type { OrchRole } from './rbac';

/**
 * The id of Orch's password provider in the auth backend
 * (`/api/auth/orch/refresh`, `auth.providers.orch` in app-config).
 * @public
 */
export const ORCH_AUTH_PROVIDER_ID = 'orch';

/**
 * The header that carries a single-use sign-in ticket from the orch plugin
 * to its auth provider module.
 * @public
 */
export const ORCH_TICKET_HEADER = 'x-orch-ticket';

/**
 * What the orch plugin answers when the auth provider redeems a ticket.
 * @public
 */
export type OrchTicketUser = {
  id: string;
  email: string;
  displayName: string;
  entityRef: string;
};

/**
 * The signed-in user as the sign-in API describes them.
 * @public
 */
export type OrchSessionUser = {
  id: string;
  email: string;
  displayName: string;
  entityRef: string;
  roles: OrchRole[];
};

/**
 * What `POST /v1/auth/login` and `POST /v1/auth/refresh` answer.
 * @public
 */
export type OrchTokenResponse = {
  /** A Backstage user token (`sub` = user entity ref, `ent` = ownership refs). */
  accessToken: string;
  /** Single use: every refresh answers a new one. */
  refreshToken: string;
  /** ISO-8601: when `accessToken` expires. */
  expiresAt: string;
  /** ISO-8601: when the session ends and a password is needed again. */
  refreshExpiresAt: string;
  remember: boolean;
  passwordChangeRequired: boolean;
  user: OrchSessionUser;
};
