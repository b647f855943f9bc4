import { useApi } from '@backstage/frontend-plugin-api';
import type { Job } from '@internal/backstage-plugin-orch-common';
import { orchApiRef } from '../../api/OrchClient';
import { useLivePoll } from './useLivePoll';

/** How many failed jobs the failures widget reads at most. */
export const FAILURES_LIMIT = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

type JobPage = { items: Job[]; nextCursor?: string };

export type DashboardJobs = {
  /** RUNNING and PENDING jobs, newest first. */
  active: Job[];
  /** ERROR jobs that ended (or were created) in the last 24 hours. */
  failures: Job[];
  /** More failures than {@link FAILURES_LIMIT} in the window. */
  moreFailures: boolean;
  recent: Job[];
};

function query(params: Record<string, string | undefined>) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) {
      search.set(key, value);
    }
  }
  return search.toString();
}

/** The jobs behind the dashboard's widgets, reloaded every few seconds. */
export function useDashboardJobs(environment?: string) {
  const orchApi = useApi(orchApiRef);
  return useLivePoll<DashboardJobs>(async () => {
    const list = (params: Record<string, string | undefined>) =>
      orchApi.request<JobPage>(
        'GET',
        `/v1/jobs?${query({ environment, ...params })}`,
      );
    const [active, failed, recent] = await Promise.all([
      list({ status: 'RUNNING,PENDING', limit: '50' }),
      list({ status: 'ERROR', limit: String(FAILURES_LIMIT) }),
      list({ limit: '10' }),
    ]);
    const since = Date.now() - DAY_MS;
    const failures = failed.items.filter(
      job => Date.parse(job.finishedAt ?? job.createdAt) >= since,
    );
    return {
      active: active.items,
      failures,
      moreFailures:
        failures.length === failed.items.length && !!failed.nextCursor,
      recent: recent.items,
    };
  }, [orchApi, environment]);
}
