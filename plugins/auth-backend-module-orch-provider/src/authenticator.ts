import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import { createProxyAuthenticator } from '@backstage/plugin-auth-node';
import {
  ORCH_TICKET_HEADER,
  type OrchTicketUser,
} from '@internal/backstage-plugin-orch-common';

/**
 * Authenticates a request by the single-use ticket the orch plugin wrote
 * after checking a password or spending a refresh token: the ticket is
 * redeemed at the orch plugin, service to service, for the user it names.
 * Without a valid ticket the provider authenticates nobody.
 */
export function createOrchTicketAuthenticator(deps: {
  auth: AuthService;
  discovery: DiscoveryService;
  fetch?: typeof fetch;
}) {
  return createProxyAuthenticator<void, OrchTicketUser, undefined>({
    defaultProfileTransform: async result => ({
      profile: { email: result.email, displayName: result.displayName },
    }),
    initialize() {},
    async authenticate({ req }) {
      const ticket = req.get(ORCH_TICKET_HEADER);
      if (!ticket) {
        throw new AuthenticationError(
          'Sign in through POST /api/orch/v1/auth/login',
        );
      }
      const { token } = await deps.auth.getPluginRequestToken({
        onBehalfOf: await deps.auth.getOwnServiceCredentials(),
        targetPluginId: 'orch',
      });
      const base = await deps.discovery.getBaseUrl('orch');
      const response = await (deps.fetch ?? fetch)(
        `${base}/v1/auth/tickets/redeem`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ ticket }),
        },
      );
      if (!response.ok) {
        throw new AuthenticationError('Invalid or expired sign-in ticket');
      }
      return { result: (await response.json()) as OrchTicketUser };
    },
  });
}
