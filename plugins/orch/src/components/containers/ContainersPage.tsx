import { useMemo } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  CONTAINER_STATES,
  type ContainerState,
} from '@internal/backstage-plugin-portainer-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import CircularProgress from '@mui/material/CircularProgress';
import LinearProgress from '@mui/material/LinearProgress';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useSearchParams } from 'react-router-dom';
import { portainerApiRef } from '../../api/PortainerClient';
import { useMonitoringPermissions } from '../../hooks/useMonitoringPermissions';
import { orchTranslationRef } from '../../translations/ref';
import { useLivePoll } from '../Dashboard/useLivePoll';
import { useFormatters } from '../Dashboard/formatting';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { ContainerDrawer } from './ContainerDrawer';
import { ContainersTable } from './ContainersTable';
import { EndpointPicker } from './EndpointPicker';
import { MonitoringError } from './MonitoringError';
import { MONITORING_POLL_MS, pickEndpoint, useEndpoints } from './useEndpoints';

function isState(value: string | null): value is ContainerState {
  return (CONTAINER_STATES as readonly string[]).includes(value ?? '');
}

/**
 * `/containers`: the containers of one Docker endpoint with their state and
 * health, filtered by stack and state (on the server) and by name or image
 * (here), asked again every 10 s; a stale listing (the endpoint did not
 * answer) says so. A name opens the detail drawer. Filters live in the URL.
 */
export function ContainersPage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const api = useApi(portainerApiRef);
  const fmt = useFormatters();
  const perms = useMonitoringPermissions();
  const [params, setParams] = useSearchParams();
  const endpoints = useEndpoints();
  const endpoint = pickEndpoint(endpoints.endpoints, params.get('endpoint'));
  const endpointId = endpoint?.id;
  const stack = params.get('stack') ?? '';
  const statusParam = params.get('status');
  const status = isState(statusParam) ? statusParam : undefined;
  const text = params.get('q') ?? '';
  const openId = params.get('container') ?? undefined;

  const list = useLivePoll(
    async () =>
      endpointId
        ? api.listContainers({ endpointId, stack: stack || undefined, status })
        : undefined,
    [api, endpointId, stack, status],
    MONITORING_POLL_MS,
  );
  const stacks = useLivePoll(
    async () => (endpointId ? api.listStacks(endpointId) : undefined),
    [api, endpointId],
    MONITORING_POLL_MS * 6,
  );

  const setParam = (entries: Record<string, string | undefined>) =>
    setParams(
      current => {
        const copy = new URLSearchParams(current);
        for (const [key, value] of Object.entries(entries)) {
          if (value) copy.set(key, value);
          else copy.delete(key);
        }
        return copy;
      },
      { replace: true },
    );

  const shown = useMemo(() => {
    const items =
      list.value?.endpointId === endpointId ? list.value?.items : undefined;
    const needle = text.trim().toLowerCase();
    if (!items || !needle) return items;
    return items.filter(
      c =>
        c.name.toLowerCase().includes(needle) ||
        c.image.toLowerCase().includes(needle),
    );
  }, [list.value, endpointId, text]);

  const stackNames = useMemo(() => {
    const names = new Set(stacks.value?.items.map(s => s.name) ?? []);
    for (const c of list.value?.items ?? []) if (c.stack) names.add(c.stack);
    if (stack) names.add(stack);
    return [...names].sort();
  }, [stacks.value, list.value, stack]);

  // No Docker engine behind the local socket (or no socket at all): one
  // line saying how to start one, instead of errors and an empty table.
  const noEngine =
    endpoint?.kind === 'local' && endpoint.status.noEngine
      ? endpoint.error
      : undefined;
  const noLocalSocket = endpoints.value?.errors?.find(
    e => e.source === 'local',
  )?.message;

  const opened = list.value?.items.find(c => c.id === openId);
  const filtered = !!stack || !!status || !!text;

  let body;
  if (!perms.loading && !perms.containerRead) {
    body = <Alert severity="warning">{t('monitoring.forbidden')}</Alert>;
  } else if (endpoints.error && !endpoints.value) {
    body = (
      <MonitoringError error={endpoints.error} onRetry={endpoints.retry} />
    );
  } else if (!endpoints.endpoints) {
    body = (
      <Stack alignItems="center" py={6}>
        <CircularProgress aria-label={t('common.loading')} />
      </Stack>
    );
  } else if (!endpoint && noLocalSocket) {
    body = (
      <Alert severity="warning" data-testid="no-docker-engine">
        {noLocalSocket}
      </Alert>
    );
  } else if (!endpoint) {
    body = (
      <Alert severity="info" variant="outlined">
        <AlertTitle>{t('monitoring.noEndpoint')}</AlertTitle>
        {t('monitoring.noEndpointText')}
      </Alert>
    );
  } else if (noEngine) {
    body = (
      <Alert severity="warning" data-testid="no-docker-engine">
        {noEngine}
      </Alert>
    );
  } else if (list.error && !shown) {
    body = <MonitoringError error={list.error} onRetry={list.retry} />;
  } else if (!shown) {
    body = (
      <Stack alignItems="center" py={6}>
        <CircularProgress aria-label={t('common.loading')} />
      </Stack>
    );
  } else {
    body = (
      <>
        {list.value?.stale && (
          <Alert severity="warning" sx={{ mb: 2 }} data-testid="stale-banner">
            {t('containers.stale', {
              name: endpoint.name,
              age: fmt.duration(list.value.fetchedAt),
              error: list.value.error ?? '',
            })}
          </Alert>
        )}
        {list.error && (
          <Box mb={2}>
            <MonitoringError error={list.error} onRetry={list.retry} />
          </Box>
        )}
        <Typography variant="body2" color="text.secondary" mb={1}>
          {t('containers.count', { count: shown.length })}
        </Typography>
        {shown.length === 0 ? (
          <Alert severity="info">
            {filtered ? t('containers.noMatch') : t('containers.empty')}
          </Alert>
        ) : (
          <ContainersTable
            containers={shown}
            onOpen={c => setParam({ container: c.id })}
          />
        )}
      </>
    );
  }

  return (
    <OrchPageLayout
      title={t('containers.title')}
      subtitle={t('containers.subtitle')}
      actions={
        <Typography variant="body2" color="text.secondary">
          {t('containers.live', {
            seconds: String(MONITORING_POLL_MS / 1000),
          })}
        </Typography>
      }
    >
      {endpoints.endpoints && endpoints.endpoints.length > 0 && (
        <Stack
          role="group"
          aria-label={t('containers.filters')}
          direction={{ xs: 'column', md: 'row' }}
          spacing={2}
          mb={2}
          useFlexGap
          flexWrap="wrap"
        >
          <EndpointPicker
            endpoints={endpoints.endpoints}
            value={endpointId}
            onChange={id =>
              setParam({ endpoint: id, stack: undefined, container: undefined })
            }
          />
          <TextField
            select
            size="small"
            label={t('containers.stack')}
            value={stack}
            onChange={e => setParam({ stack: e.target.value })}
            sx={{ minWidth: 180 }}
          >
            <MenuItem value="">{t('containers.allStacks')}</MenuItem>
            {stackNames.map(name => (
              <MenuItem key={name} value={name}>
                {name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label={t('containers.status')}
            value={status ?? ''}
            onChange={e => setParam({ status: e.target.value })}
            sx={{ minWidth: 160 }}
          >
            <MenuItem value="">{t('containers.allStatuses')}</MenuItem>
            {CONTAINER_STATES.map(s => (
              <MenuItem key={s} value={s}>
                {s === 'exited'
                  ? t('monitoring.states.exitedNoCode')
                  : t(`monitoring.states.${s}`)}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            size="small"
            label={t('containers.search')}
            value={text}
            onChange={e => setParam({ q: e.target.value })}
            inputProps={{ maxLength: 100 }}
          />
        </Stack>
      )}
      {endpoint && noLocalSocket && (
        <Alert severity="info" sx={{ mb: 2 }} data-testid="no-docker-engine">
          {noLocalSocket}
        </Alert>
      )}
      {endpoint && !endpoint.status.reachable && !noEngine && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          <AlertTitle>
            {t('monitoring.unreachable', { name: endpoint.name })}
          </AlertTitle>
          {endpoint.error}
        </Alert>
      )}
      <Box sx={{ height: 4, mb: 1 }}>
        {list.loading && shown && (
          <LinearProgress aria-label={t('common.loading')} />
        )}
      </Box>
      {body}
      {endpointId && perms.containerRead && (
        <ContainerDrawer
          endpointId={endpointId}
          containerId={openId}
          name={opened?.name}
          logsAllowed={perms.logsRead}
          onClose={() => setParam({ container: undefined })}
        />
      )}
    </OrchPageLayout>
  );
}
