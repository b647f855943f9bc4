import { useMemo } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import CircularProgress from '@mui/material/CircularProgress';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useSearchParams } from 'react-router-dom';
import { portainerApiRef } from '../../api/PortainerClient';
import { useMonitoringPermissions } from '../../hooks/useMonitoringPermissions';
import { orchTranslationRef } from '../../translations/ref';
import { useLivePoll } from '../Dashboard/useLivePoll';
import { EndpointPicker } from '../containers/EndpointPicker';
import { MonitoringError } from '../containers/MonitoringError';
import {
  MONITORING_POLL_MS,
  pickEndpoint,
  useEndpoints,
} from '../containers/useEndpoints';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { ContainerLogView, DEFAULT_TAIL } from './ContainerLogView';

const TAILS = [100, 500, 2000, 10000];

/**
 * `/logs`: pick an endpoint and a container, and its output follows live
 * in the log viewer (search inside it; stderr lines marked). The choice
 * lives in the URL, so a link opens the same log.
 */
export function LogsPage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const api = useApi(portainerApiRef);
  const perms = useMonitoringPermissions();
  const [params, setParams] = useSearchParams();
  const endpoints = useEndpoints();
  const endpoint = pickEndpoint(endpoints.endpoints, params.get('endpoint'));
  const endpointId = endpoint?.id;
  const containerParam = params.get('container') ?? '';
  const tailParam = Number(params.get('tail'));
  const tail = TAILS.includes(tailParam) ? tailParam : DEFAULT_TAIL;

  const containers = useLivePoll(
    async () => (endpointId ? api.listContainers({ endpointId }) : undefined),
    [api, endpointId],
    MONITORING_POLL_MS * 3,
  );
  const items = useMemo(
    () =>
      [...(containers.value?.items ?? [])].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    [containers.value],
  );
  const container = items.find(
    c => c.id === containerParam || c.name === containerParam,
  );

  const setParam = (entries: Record<string, string | undefined>) =>
    setParams(current => {
      const copy = new URLSearchParams(current);
      for (const [key, value] of Object.entries(entries)) {
        if (value) copy.set(key, value);
        else copy.delete(key);
      }
      return copy;
    });

  let body;
  if (!perms.loading && !perms.logsRead) {
    body = <Alert severity="warning">{t('monitoring.logsForbidden')}</Alert>;
  } else if (endpoints.error && !endpoints.value) {
    body = (
      <MonitoringError error={endpoints.error} onRetry={endpoints.retry} />
    );
  } else if (!endpoints.endpoints) {
    body = <CircularProgress aria-label={t('common.loading')} />;
  } else if (!endpoint) {
    body = (
      <Alert severity="info" variant="outlined">
        <AlertTitle>{t('monitoring.noEndpoint')}</AlertTitle>
        {t('monitoring.noEndpointText')}
      </Alert>
    );
  } else if (containers.error && !containers.value) {
    body = (
      <MonitoringError error={containers.error} onRetry={containers.retry} />
    );
  } else if (!containers.value) {
    body = <CircularProgress aria-label={t('common.loading')} />;
  } else if (items.length === 0) {
    body = <Alert severity="info">{t('logs.noContainer')}</Alert>;
  } else if (!containerParam) {
    body = <Alert severity="info">{t('logs.pickContainer')}</Alert>;
  } else {
    body = (
      <ContainerLogView
        endpointId={endpoint.id}
        // A container gone from the list may still have its output.
        containerId={container?.id ?? containerParam}
        name={container?.name ?? containerParam}
        tail={tail}
        height="65vh"
      />
    );
  }

  return (
    <OrchPageLayout title={t('logs.title')} subtitle={t('logs.subtitle')}>
      {perms.logsRead &&
        endpoints.endpoints &&
        endpoints.endpoints.length > 0 && (
          <Stack
            direction={{ xs: 'column', md: 'row' }}
            spacing={2}
            mb={2}
            useFlexGap
            flexWrap="wrap"
          >
            <EndpointPicker
              endpoints={endpoints.endpoints}
              value={endpointId}
              onChange={id => setParam({ endpoint: id, container: undefined })}
            />
            <TextField
              select
              size="small"
              label={t('logs.container')}
              value={container ? container.id : ''}
              onChange={e => setParam({ container: e.target.value })}
              sx={{ minWidth: 280 }}
              disabled={items.length === 0}
            >
              {items.map(c => (
                <MenuItem key={c.id} value={c.id}>
                  {`${c.name} · ${c.status}`}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              size="small"
              label={t('logs.tail')}
              value={tail}
              onChange={e => setParam({ tail: e.target.value })}
              sx={{ minWidth: 160 }}
            >
              {TAILS.map(n => (
                <MenuItem key={n} value={n}>
                  {t('logs.tailLines', { lines: n.toLocaleString() })}
                </MenuItem>
              ))}
            </TextField>
          </Stack>
        )}
      {body}
    </OrchPageLayout>
  );
}
