import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { TranslationBlueprint } from '@backstage/plugin-app-react';
import { orchTranslations } from '@internal/backstage-plugin-orch';

/**
 * Orch's Brazilian Portuguese. The languages the user may pick are listed
 * in app-config (`api:app/app-language`).
 */
const orchPtBr = TranslationBlueprint.make({
  name: 'orch',
  params: { resource: orchTranslations },
});

export const translationsModule = createFrontendModule({
  pluginId: 'app',
  extensions: [orchPtBr],
});
