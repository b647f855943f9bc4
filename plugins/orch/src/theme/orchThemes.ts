import { createUnifiedTheme, palettes } from '@backstage/theme';

/**
 * Orch's dark theme: near-black surfaces and status colours chosen for
 * WCAG AA contrast (4.5:1 or more for text) on every surface, so that
 * outlined chips and coloured text stay readable. The default theme.
 * @public
 */
export const orchDarkTheme = createUnifiedTheme({
  palette: {
    ...palettes.dark,
    background: { default: '#15191e', paper: '#1e242b' },
    text: { primary: '#e6edf3', secondary: '#a9b3bf', disabled: '#8b949e' },
    divider: 'rgba(230, 237, 243, 0.14)',
    primary: { main: '#9CC9FF', dark: '#82BAFD' },
    success: { main: '#66bb6a' },
    error: { main: '#ff6b6b' },
    warning: { main: '#ffb74d' },
    info: { main: '#6ab7ff' },
    textSubtle: '#a9b3bf',
    textVerySubtle: '#8b949e',
    navigation: {
      ...palettes.dark.navigation,
      background: '#111418',
      color: '#b8c0ca',
      navItem: { hoverBackground: '#1b2026' },
      submenu: { background: '#1b2026' },
    },
  },
  fontFamily:
    '"Inter", "Roboto", "Helvetica Neue", Arial, system-ui, sans-serif',
  defaultPageTheme: 'home',
});

/**
 * Orch's light theme, for those who pick it: Backstage's light palette with
 * status colours dark enough for 4.5:1 on white.
 * @public
 */
export const orchLightTheme = createUnifiedTheme({
  palette: {
    ...palettes.light,
    primary: { main: '#1f5fbf' },
    success: { main: '#2e7d32' },
    error: { main: '#c62828' },
    warning: { main: '#a15c00' },
    info: { main: '#0b69c7' },
  },
  fontFamily:
    '"Inter", "Roboto", "Helvetica Neue", Arial, system-ui, sans-serif',
  defaultPageTheme: 'home',
});
