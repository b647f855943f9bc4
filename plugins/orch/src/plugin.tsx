import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { OrchClient, orchApiRef } from './api/OrchClient';
import { jobRouteRef, rootRouteRef } from './routes';

export const orchApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: orchApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OrchClient(deps),
    }),
});

export const orchPage = PageBlueprint.make({
  params: {
    path: '/orch',
    title: 'Orch',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/OrchPage').then(m => <m.OrchPage />),
  },
});

/** `/jobs/:id`: one job, its steps and its live log. */
export const jobPage = PageBlueprint.make({
  name: 'job',
  params: {
    path: '/jobs/:id',
    title: 'Job',
    routeRef: jobRouteRef,
    noHeader: true,
    loader: () => import('./components/JobPage').then(m => <m.JobPage />),
  },
});

/** The Orch frontend plugin. @public */
export const orchPlugin = createFrontendPlugin({
  pluginId: 'orch',
  info: { packageJson: () => import('../package.json') },
  extensions: [orchApi, orchPage, jobPage],
  routes: { root: rootRouteRef },
});
