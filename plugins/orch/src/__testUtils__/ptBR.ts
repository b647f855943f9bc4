import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { TranslationBlueprint } from '@backstage/plugin-app-react';
import { orchTranslations } from '../translations';

/**
 * `renderInTestApp` options for an app whose language is Brazilian
 * Portuguese, with Orch's translations installed as packages/app does.
 * The Portuguese messages load lazily: query with `findBy…`. The app
 * remembers its language in localStorage, where an earlier test's English
 * would win over the default: this sets it too.
 */
export function ptBRTestApp() {
  window.localStorage.setItem('language', 'pt-BR');
  return {
    features: [
      createFrontendModule({
        pluginId: 'app',
        extensions: [
          TranslationBlueprint.make({
            name: 'orch',
            params: { resource: orchTranslations },
          }),
        ],
      }),
    ],
    config: {
      app: {
        baseUrl: 'http://localhost:3000',
        extensions: [
          {
            'api:app/app-language': {
              config: {
                availableLanguages: ['en', 'pt-BR'],
                defaultLanguage: 'pt-BR',
              },
            },
          },
        ],
      },
      backend: { baseUrl: 'http://localhost:7007' },
    },
  };
}
