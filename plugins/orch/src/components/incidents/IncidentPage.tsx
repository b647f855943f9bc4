import { type ReactNode, useMemo, useState } from 'react';
import {
  useApi,
  useRouteRefParams,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import type {
  Incident,
  IncidentDetail,
} from '@internal/backstage-plugin-portainer-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import Grid from '@mui/material/Grid';
import Link from '@mui/material/Link';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link as RouterLink } from 'react-router-dom';
import { portainerApiRef } from '../../api/PortainerClient';
import { errorStatus } from '../../api/runbooksApi';
import { useMonitoringPermissions } from '../../hooks/useMonitoringPermissions';
import { incidentRouteRef } from '../../routes';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { JobLink } from '../Dashboard/JobLink';
import { useLivePoll } from '../Dashboard/useLivePoll';
import { MonitoringError } from '../containers/MonitoringError';
import { SpecView, type SpecViewValue } from '../containers/SpecView';
import { MONITORING_POLL_MS } from '../containers/useEndpoints';
import { createLineLogSource } from '../ContainerLogs/lineLogSource';
import { LogViewer } from '../LogViewer';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { IncidentActions } from './IncidentActions';
import { IncidentStatusChip, useReasonLabel } from './IncidentChips';
import { IncidentTimeline } from './IncidentTimeline';

function Section(props: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper
      variant="outlined"
      component="section"
      aria-labelledby={props.id}
      sx={{ p: 2, mb: 2 }}
    >
      <Typography id={props.id} component="h2" variant="h6" mb={1}>
        {props.title}
      </Typography>
      {props.children}
    </Paper>
  );
}

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ minWidth: 120 }}>
      <Typography variant="caption" color="text.secondary" component="dt">
        {props.label}
      </Typography>
      <Typography variant="body2" component="dd" sx={{ m: 0 }}>
        {props.children}
      </Typography>
    </Box>
  );
}

/** The captured container's (else service's) spec, for {@link SpecView}. */
function capturedSpec(detail: IncidentDetail): SpecViewValue | undefined {
  const { container, service } = detail.context ?? {};
  if (container) {
    return {
      ...container,
      state: {
        ...container.state,
        healthLog: container.state.healthLog,
      },
    };
  }
  if (service) return { ...service };
  return undefined;
}

function who(ref?: string) {
  return ref ? ref.replace(/^user:[^/]+\//, '') : '—';
}

/** One incident: what failed, how often, what was captured, what to do. */
export function IncidentView(props: { id: string }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const api = useApi(portainerApiRef);
  const fmt = useFormatters();
  const reason = useReasonLabel();
  const perms = useMonitoringPermissions();
  // An answer to Ack/Resolve, shown over the detail it was given for until
  // the next read replaces that detail.
  const [updated, setUpdated] = useState<{
    incident?: Incident;
    base?: IncidentDetail;
  }>({});
  const state = useLivePoll(
    () => api.getIncident(props.id),
    [api, props.id],
    MONITORING_POLL_MS,
  );
  const detail = state.value;
  const capturedAt = detail?.context?.capturedAt;
  const logs = detail?.context?.logs;
  // Captured once, when the incident opened: the same log for every poll.
  const source = useMemo(
    () => createLineLogSource({ lines: logs ?? [] }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [props.id, capturedAt, logs?.length],
  );

  if (state.error && !detail) {
    return (
      <OrchPageLayout title={t('incidents.title')}>
        {errorStatus(state.error) === 404 ? (
          <Alert severity="warning">{t('incidents.notFound')}</Alert>
        ) : (
          <MonitoringError
            error={state.error}
            title={t('incidents.pageError')}
            onRetry={state.retry}
          />
        )}
        <Link
          component={RouterLink}
          to="/incidents"
          sx={{ mt: 2, display: 'inline-block' }}
        >
          {t('incidents.back')}
        </Link>
      </OrchPageLayout>
    );
  }
  if (!detail) {
    return (
      <Stack alignItems="center" py={6}>
        <CircularProgress aria-label={t('common.loading')} />
      </Stack>
    );
  }
  const incident: Incident =
    updated.incident && updated.base === detail
      ? { ...detail, ...updated.incident }
      : detail;
  const context = detail.context;
  const spec = capturedSpec(detail);

  return (
    <OrchPageLayout
      title={incident.subject}
      subtitle={
        <Link component={RouterLink} to="/incidents">
          {t('incidents.back')}
        </Link>
      }
      actions={
        <IncidentActions
          incident={incident}
          allowed={perms.incidentManage}
          onChanged={next => {
            setUpdated({ incident: next, base: detail });
            state.retry();
          }}
        />
      }
    >
      <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
        <Stack direction="row" spacing={1} mb={2} alignItems="center">
          <IncidentStatusChip status={incident.status} />
          <Typography component="p" variant="h6" data-testid="incident-reason">
            {reason(incident)}
          </Typography>
        </Stack>
        <Box
          component="dl"
          sx={{ display: 'flex', flexWrap: 'wrap', gap: 3, m: 0 }}
        >
          <Fact label={t('incidents.subject')}>
            {`${
              incident.subjectKind === 'service'
                ? t('incidents.service')
                : t('incidents.container')
            }: ${incident.subject}`}
          </Fact>
          <Fact label={t('incidents.count')}>
            {t('incidents.times', { count: incident.count })}
          </Fact>
          {incident.exitCode !== undefined && (
            <Fact label={t('incidents.exitCode')}>{incident.exitCode}</Fact>
          )}
          <Fact label={t('incidents.endpoint')}>{incident.endpointId}</Fact>
          {incident.stack && (
            <Fact label={t('incidents.stack')}>{incident.stack}</Fact>
          )}
          <Fact label={t('incidents.openedAt')}>
            <time dateTime={incident.openedAt}>
              {fmt.dateTime(incident.openedAt)}
            </time>
          </Fact>
          <Fact label={t('incidents.lastSeenAt')}>
            <time dateTime={incident.lastSeenAt}>
              {fmt.dateTime(incident.lastSeenAt)}
            </time>
          </Fact>
        </Box>
        {incident.acknowledgedAt && (
          <Typography variant="body2" color="text.secondary" mt={2}>
            {t('incidents.acknowledgedBy', {
              who: who(incident.acknowledgedBy),
              when: fmt.dateTime(incident.acknowledgedAt),
            })}
          </Typography>
        )}
        {incident.resolvedAt && (
          <Typography variant="body2" color="text.secondary" mt={1}>
            {t('incidents.resolvedBy', {
              who: who(incident.resolvedBy),
              when: fmt.dateTime(incident.resolvedAt),
            })}
          </Typography>
        )}
      </Paper>
      <Grid container spacing={2}>
        <Grid item xs={12} lg={4}>
          <Section id="orch-incident-timeline" title={t('incidents.timeline')}>
            <IncidentTimeline entries={detail.timeline ?? []} />
          </Section>
          <Section id="orch-incident-jobs" title={t('incidents.relatedJobs')}>
            <Typography variant="body2" color="text.secondary" mb={1}>
              {t('incidents.relatedJobsHelp')}
            </Typography>
            {context?.relatedJobIds.length ? (
              <List dense disablePadding>
                {context.relatedJobIds.map(id => (
                  <ListItem key={id} disableGutters>
                    <JobLink id={id}>{id}</JobLink>
                  </ListItem>
                ))}
              </List>
            ) : (
              <Typography>{t('incidents.noRelatedJobs')}</Typography>
            )}
          </Section>
          {context?.errors && context.errors.length > 0 && (
            <Section
              id="orch-incident-capture-errors"
              title={t('incidents.captureErrors')}
            >
              <List dense disablePadding>
                {context.errors.map(e => (
                  <ListItem key={e} disableGutters>
                    {e}
                  </ListItem>
                ))}
              </List>
            </Section>
          )}
        </Grid>
        <Grid item xs={12} lg={8}>
          <Section id="orch-incident-logs" title={t('incidents.capturedLogs')}>
            {context && (
              <Typography variant="body2" color="text.secondary" mb={1}>
                {t('incidents.capturedAt', {
                  when: fmt.dateTime(context.capturedAt),
                })}
              </Typography>
            )}
            {!perms.loading && !perms.logsRead && (
              <Alert severity="warning">{t('monitoring.logsForbidden')}</Alert>
            )}
            {perms.logsRead && logs && logs.length > 0 && (
              <LogViewer
                key={`${props.id}/${capturedAt}`}
                source={source}
                lastSeq={logs.length}
                live={false}
                height="45vh"
                countLabel={count => t('monitoring.logs.lines', { count })}
                ariaLabel={t('monitoring.logs.region', {
                  name: incident.subject,
                })}
              />
            )}
            {perms.logsRead && (!logs || logs.length === 0) && (
              <Typography color="text.secondary">
                {t('incidents.noLogs')}
              </Typography>
            )}
          </Section>
          <Section id="orch-incident-spec" title={t('incidents.spec')}>
            {spec ? (
              <SpecView spec={spec} label={t('incidents.spec')} />
            ) : (
              <Typography color="text.secondary">
                {t('incidents.noSpec')}
              </Typography>
            )}
          </Section>
        </Grid>
      </Grid>
    </OrchPageLayout>
  );
}

/** `/incidents/:id`. */
export function IncidentPage() {
  const { id } = useRouteRefParams(incidentRouteRef);
  return <IncidentView id={id} />;
}
