import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { Job } from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router-dom';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from './formatting';
import { JobLink } from './JobLink';
import { JobStatusChip } from './JobStatusChip';
import type { ContainerHealth } from './useContainerHealth';
import { WidgetCard } from './WidgetCard';

function BigNumber(props: { value: string | number; label: string }) {
  return (
    <Stack
      component="p"
      direction="row"
      alignItems="baseline"
      spacing={1}
      sx={{ mt: 0, mb: 1 }}
    >
      <Typography component="span" variant="h3">
        {props.value}
      </Typography>
      <Typography component="span" color="text.secondary">
        {props.label}
      </Typography>
    </Stack>
  );
}

type LoadState = { loading: boolean; error?: Error; onRetry: () => void };

/** Jobs RUNNING (and PENDING) now, the five newest listed. */
export function RunningJobsCard(props: LoadState & { jobs?: Job[] }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  const running = props.jobs?.filter(job => job.status === 'RUNNING') ?? [];
  const pending = props.jobs?.filter(job => job.status === 'PENDING') ?? [];
  return (
    <WidgetCard
      id="dashboard-running"
      title={t('dashboard.running.title')}
      loading={props.loading && !props.jobs}
      error={props.jobs ? undefined : props.error}
      onRetry={props.onRetry}
      retryLabel={t('common.retry')}
      live
    >
      {props.jobs && (
        <>
          <BigNumber
            value={running.length}
            label={t('dashboard.running.count', { count: running.length })}
          />
          {pending.length > 0 && (
            <Typography variant="body2" color="text.secondary">
              {pending.length} {t('common.status.PENDING').toLowerCase()}
            </Typography>
          )}
          {props.jobs.length === 0 ? (
            <Typography color="text.secondary">
              {t('dashboard.running.empty')}
            </Typography>
          ) : (
            <List dense disablePadding>
              {props.jobs.slice(0, 5).map(job => (
                <ListItem key={job.id} disableGutters>
                  <ListItemText
                    primary={
                      <JobLink id={job.id}>
                        {job.runbookName} · {job.environment}
                      </JobLink>
                    }
                    secondary={fmt.duration(job.startedAt ?? job.createdAt)}
                  />
                  <JobStatusChip status={job.status} />
                </ListItem>
              ))}
            </List>
          )}
        </>
      )}
    </WidgetCard>
  );
}

/** Jobs that ended in ERROR in the last 24 hours, the three newest listed. */
export function FailuresCard(
  props: LoadState & { jobs?: Job[]; more?: boolean },
) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  const count = props.jobs?.length ?? 0;
  return (
    <WidgetCard
      id="dashboard-failures"
      title={t('dashboard.failures.title')}
      loading={props.loading && !props.jobs}
      error={props.jobs ? undefined : props.error}
      onRetry={props.onRetry}
      retryLabel={t('common.retry')}
      live
    >
      {props.jobs && (
        <>
          <BigNumber
            value={props.more ? `${count}+` : count}
            label={
              props.more
                ? t('dashboard.failures.more', { limit: String(count) })
                : t('dashboard.failures.count', { count })
            }
          />
          {count === 0 ? (
            <Typography color="text.secondary">
              {t('dashboard.failures.empty')}
            </Typography>
          ) : (
            <List dense disablePadding>
              {props.jobs.slice(0, 3).map(job => (
                <ListItem key={job.id} disableGutters>
                  <ListItemText
                    primary={
                      <JobLink id={job.id}>
                        {job.runbookName} · {job.environment}
                      </JobLink>
                    }
                    secondary={`${fmt.ago(job.finishedAt ?? job.createdAt)}${
                      job.error ? ` — ${job.error}` : ''
                    }`}
                  />
                </ListItem>
              ))}
            </List>
          )}
        </>
      )}
    </WidgetCard>
  );
}

/** Containers in error and open incidents, or an honest "not configured". */
export function ContainersCard(props: LoadState & { value?: ContainerHealth }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const { value } = props;
  let body = null;
  if (value && !value.configured) {
    body = (
      <Alert severity="info" variant="outlined">
        <strong>{t('dashboard.containers.notConfigured')}</strong>
        <br />
        {t('dashboard.containers.notConfiguredText')}
      </Alert>
    );
  } else if (value && value.forbidden) {
    body = (
      <Typography color="text.secondary">
        {t('dashboard.containers.forbidden')}
      </Typography>
    );
  } else if (value && value.configured && value.endpoints === 0) {
    body = (
      <Alert severity="info" variant="outlined">
        {t('dashboard.containers.noEndpoint')}
      </Alert>
    );
  } else if (value && value.configured) {
    const incidents = value.incidents;
    body = (
      <>
        <BigNumber
          value={value.failing.length}
          label={`${t('dashboard.containers.count', {
            count: value.failing.length,
          })} ${t('dashboard.containers.endpoints', {
            count: value.endpoints,
          })}`}
        />
        {incidents && (
          <Typography variant="body2" mb={1}>
            <Link component={RouterLink} to="/incidents">
              {incidents.length === 0
                ? t('dashboard.containers.noIncidents')
                : `${t('dashboard.containers.incidents', {
                    count: incidents.length,
                  })}${value.moreIncidents ? '+' : ''}`}
            </Link>
          </Typography>
        )}
        {value.unreachable.length > 0 && (
          <Alert severity="warning" sx={{ mb: 1 }}>
            {t('dashboard.containers.unreachableEndpoints')}{' '}
            {value.unreachable.join(', ')}
          </Alert>
        )}
        {value.failing.length === 0 ? (
          <Typography color="text.secondary">
            {t('dashboard.containers.empty')}
          </Typography>
        ) : (
          <List dense disablePadding>
            {value.failing.slice(0, 5).map(c => (
              <ListItem key={`${c.endpointId}/${c.id}`} disableGutters>
                <ListItemText
                  primary={
                    <Link
                      component={RouterLink}
                      to={`/containers?endpoint=${encodeURIComponent(
                        c.endpointId,
                      )}&container=${encodeURIComponent(c.id)}`}
                    >
                      {`${c.name} · ${c.endpoint}`}
                    </Link>
                  }
                  secondary={c.status}
                />
              </ListItem>
            ))}
          </List>
        )}
      </>
    );
  }
  return (
    <WidgetCard
      id="dashboard-containers"
      title={t('dashboard.containers.title')}
      loading={props.loading && !value}
      error={value ? undefined : props.error}
      errorTitle={t('dashboard.containers.unreachable')}
      onRetry={props.onRetry}
      retryLabel={t('common.retry')}
      action={
        value?.configured && !value.forbidden ? (
          <Link component={RouterLink} to="/containers">
            {t('dashboard.containers.viewContainers')}
          </Link>
        ) : undefined
      }
      live
    >
      {body}
    </WidgetCard>
  );
}
