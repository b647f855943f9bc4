import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import { ORCH_AUTH_PROVIDER_ID } from '@internal/backstage-plugin-orch-common';
import { createOrchTicketAuthenticator } from './authenticator';
import { orchUserSignInResolver } from './resolver';

/**
 * Registers the `orch` auth provider. Enable it with `auth.providers.orch: {}`.
 * @public
 */
export const authModuleOrchProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'orch-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
      },
      async init({ providers, auth, discovery }) {
        providers.registerProvider({
          providerId: ORCH_AUTH_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: createOrchTicketAuthenticator({ auth, discovery }),
            signInResolver: orchUserSignInResolver,
          }),
        });
      },
    });
  },
});
