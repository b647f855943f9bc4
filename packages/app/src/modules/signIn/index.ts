import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { OrchSignInPage } from '@internal/backstage-plugin-orch';

/**
 * Orch's password sign-in, in place of the app plugin's default sign-in
 * page (the guest one): same extension id, `sign-in-page:app`.
 */
const orchSignInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => OrchSignInPage,
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [orchSignInPage],
});
