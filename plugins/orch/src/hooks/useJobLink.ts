import { useRouteRef } from '@backstage/frontend-plugin-api';
import { useCallback } from 'react';
import { jobRouteRef } from '../routes';

/**
 * The path of a job's page. Falls back to `/jobs/:id` while the job page's
 * route is not mounted (tests, an app that leaves it out).
 */
export function useJobLink(): (id: string) => string {
  const jobRoute = useRouteRef(jobRouteRef);
  return useCallback(
    (id: string) => jobRoute?.({ id }) ?? `/jobs/${encodeURIComponent(id)}`,
    [jobRoute],
  );
}
