export { orchPlugin as default } from './plugin';
export { orchApiRef, OrchClient } from './api/OrchClient';
export type { OrchApi } from './api/OrchClient';
export * from './auth';
export { OrchSignInPage } from './components/SignInPage';
export type { OrchSignInPageProps } from './components/SignInPage';
