export { IncidentsPage } from './IncidentsPage';
export { IncidentPage, IncidentView } from './IncidentPage';
