export { portainerPlugin as default } from './plugin';
