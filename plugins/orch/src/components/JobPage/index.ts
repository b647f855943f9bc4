export { JobPage, JobView } from './JobPage';
