import {
  createRouteRef,
  createSubRouteRef,
} from '@backstage/frontend-plugin-api';

export const rootRouteRef = createRouteRef();

/** The runbook catalog, `/runbooks`. */
export const runbooksRouteRef = createRouteRef();

/** The jobs list, `/jobs`. */
export const jobsRouteRef = createRouteRef();

/** One job's page, `/jobs/:id`. */
export const jobRouteRef = createRouteRef({ params: ['id'] });

/** The dashboard, `/dashboard`. */
export const dashboardRouteRef = createRouteRef();

/** Settings (preferences, connections, users, audit), `/settings`. */
export const settingsRouteRef = createRouteRef();

/** The execute form of one runbook, `/runbooks/:name/execute`. */
export const runbookExecuteRouteRef = createSubRouteRef({
  parent: runbooksRouteRef,
  path: '/:name/execute',
});

/** Containers of a Docker endpoint, `/containers`. */
export const containersRouteRef = createRouteRef();

/** A container's output, followed live, `/logs`. */
export const logsRouteRef = createRouteRef();

/** Incidents opened from Docker events, `/incidents`. */
export const incidentsRouteRef = createRouteRef();

/** One incident's page, `/incidents/:id`. */
export const incidentRouteRef = createRouteRef({ params: ['id'] });
