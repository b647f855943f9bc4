export { OrchSignInPage } from './OrchSignInPage';
export type { OrchSignInPageProps } from './OrchSignInPage';
