export { orchPlugin as default } from './plugin';
