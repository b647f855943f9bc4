export { OrchTopBar, ORCH_MAIN_CONTENT_ID } from './OrchTopBar';
export { OrchPageLayout } from './OrchPageLayout';
export { ComingSoonPage } from './ComingSoonPage';
