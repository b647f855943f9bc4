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
