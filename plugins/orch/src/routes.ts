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
