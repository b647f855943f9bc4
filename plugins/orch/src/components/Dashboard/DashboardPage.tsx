import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import Grid from '@mui/material/Grid';
import { jobReadPermission } from '@internal/backstage-plugin-orch-common';
import { useOrchEnvironment } from '../../hooks/useOrchEnvironment';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { HealthCard } from './HealthCard';
import { RecentJobsCard } from './RecentJobsCard';
import { ContainersCard, FailuresCard, RunningJobsCard } from './StatCards';
import { useContainerHealth } from './useContainerHealth';
import { useDashboardJobs } from './useDashboardData';
import { DASHBOARD_POLL_MS } from './useLivePoll';

function JobWidgets(props: { environment?: string }) {
  const jobs = useDashboardJobs(props.environment);
  const containers = useContainerHealth(props.environment);
  const state = {
    loading: jobs.loading,
    error: jobs.error,
    onRetry: jobs.retry,
  };
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={4}>
        <RunningJobsCard {...state} jobs={jobs.value?.active} />
      </Grid>
      <Grid item xs={12} md={4}>
        <FailuresCard
          {...state}
          jobs={jobs.value?.failures}
          more={jobs.value?.moreFailures}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <ContainersCard
          loading={containers.loading}
          error={containers.error}
          onRetry={containers.retry}
          value={containers.value}
        />
      </Grid>
      <Grid item xs={12} lg={8}>
        <RecentJobsCard {...state} jobs={jobs.value?.recent} />
      </Grid>
      <Grid item xs={12} lg={4}>
        <HealthCard />
      </Grid>
    </Grid>
  );
}

/** `/dashboard`: what runs, what failed, what is broken, live. @public */
export function DashboardPage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const { environment } = useOrchEnvironment();
  const { can, loading } = useOrchMe();
  const envLabel = environment ?? t('shell.topBar.allEnvironments');
  return (
    <OrchPageLayout
      title={t('dashboard.title')}
      subtitle={`${t('dashboard.subtitle', { environment: envLabel })} · ${t(
        'dashboard.updatedLive',
        { seconds: String(DASHBOARD_POLL_MS / 1000) },
      )}`}
    >
      {!loading && !can(jobReadPermission.name) ? (
        <Alert severity="warning">{t('dashboard.noPermission')}</Alert>
      ) : (
        <JobWidgets environment={environment} />
      )}
    </OrchPageLayout>
  );
}
