import {
  ApiBlueprint,
  createFrontendModule,
  type AppThemeApi,
} from '@backstage/frontend-plugin-api';
import appPlugin from '@backstage/plugin-app';
import { ThemeBlueprint } from '@backstage/plugin-app-react';
import { UnifiedThemeProvider } from '@backstage/theme';
import { orchDarkTheme, orchLightTheme } from '@internal/backstage-plugin-orch';
import DarkIcon from '@material-ui/icons/Brightness2';
import LightIcon from '@material-ui/icons/WbSunny';

/**
 * Orch is dark until the user picks light in Settings → Preferences.
 * Backstage follows the system's preference when nothing is chosen; this
 * wraps its theme API so that "nothing chosen" means dark.
 */
const darkByDefault = appPlugin.getExtension('api:app/app-theme').override({
  *factory(originalFactory) {
    const output = originalFactory();
    const apiFactory = output.get(ApiBlueprint.dataRefs.factory);
    yield ApiBlueprint.dataRefs.factory({
      ...apiFactory,
      factory: deps => {
        const api = apiFactory.factory(deps) as AppThemeApi;
        if (api.getActiveThemeId() === undefined) {
          api.setActiveThemeId('dark');
        }
        return api;
      },
    });
  },
});

// Same ids as Backstage's themes (`theme:app/dark`, `theme:app/light`), so
// Orch's replace them and stored choices keep working.
const darkTheme = ThemeBlueprint.make({
  name: 'dark',
  params: {
    theme: {
      id: 'dark',
      title: 'Dark',
      variant: 'dark',
      icon: <DarkIcon />,
      Provider: ({ children }) => (
        <UnifiedThemeProvider theme={orchDarkTheme}>
          {children}
        </UnifiedThemeProvider>
      ),
    },
  },
});

const lightTheme = ThemeBlueprint.make({
  name: 'light',
  params: {
    theme: {
      id: 'light',
      title: 'Light',
      variant: 'light',
      icon: <LightIcon />,
      Provider: ({ children }) => (
        <UnifiedThemeProvider theme={orchLightTheme}>
          {children}
        </UnifiedThemeProvider>
      ),
    },
  },
});

export const themeModule = createFrontendModule({
  pluginId: 'app',
  extensions: [darkByDefault, darkTheme, lightTheme],
});
