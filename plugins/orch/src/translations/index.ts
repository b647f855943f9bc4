import { createTranslationResource } from '@backstage/frontend-plugin-api';
import { orchTranslationRef } from './ref';

export { orchTranslationRef } from './ref';

/**
 * The languages Orch speaks besides English, loaded on demand. The app
 * installs it with a `TranslationBlueprint` (packages/app, translations
 * module) and lists the languages in `api:app/app-language`.
 *
 * @public
 */
export const orchTranslations = createTranslationResource({
  ref: orchTranslationRef,
  translations: {
    'pt-BR': () => import('./pt-BR'),
  },
});

/** The languages Orch has messages for. @public */
export const ORCH_LANGUAGES = ['en', 'pt-BR'] as const;
