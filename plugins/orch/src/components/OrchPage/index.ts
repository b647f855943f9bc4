export { OrchPage } from './OrchPage';
