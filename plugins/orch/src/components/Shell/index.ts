export { OrchTopBar, ORCH_MAIN_CONTENT_ID } from './OrchTopBar';
export { OrchMainContent } from './OrchMainContent';
export { SkipLink } from './SkipLink';
export { OrchPageLayout } from './OrchPageLayout';
export { ComingSoonPage } from './ComingSoonPage';
