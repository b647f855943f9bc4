export { orchPlugin as default } from './plugin';
export { orchApiRef, OrchClient } from './api/OrchClient';
export type { OrchApi } from './api/OrchClient';
export * from './auth';
export { OrchSignInPage } from './components/SignInPage';
export type { OrchSignInPageProps } from './components/SignInPage';
export { orchTranslationRef, orchTranslations } from './translations';
export {
  OrchMainContent,
  OrchTopBar,
  ORCH_MAIN_CONTENT_ID,
  SkipLink,
} from './components/Shell';
export { OrchLogo } from './components/SignInPage/OrchLogo';
export { orchDarkTheme, orchLightTheme } from './theme/orchThemes';
