export { ContainersPage } from './ContainersPage';
