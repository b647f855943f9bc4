export { RunbooksPage } from './RunbooksPage';
