export { DashboardPage } from './DashboardPage';
export { JobStatusChip } from './JobStatusChip';
