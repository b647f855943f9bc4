export { orchPlugin as default } from './plugin';
export { orchApiRef, OrchClient } from './api/OrchClient';
export type { OrchApi } from './api/OrchClient';
