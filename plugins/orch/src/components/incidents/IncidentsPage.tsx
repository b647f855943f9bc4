import { useEffect, useMemo, useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { IncidentStatus } from '@internal/backstage-plugin-portainer-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import CircularProgress from '@mui/material/CircularProgress';
import LinearProgress from '@mui/material/LinearProgress';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useSearchParams } from 'react-router-dom';
import useDebounce from 'react-use/esm/useDebounce';
import { useMonitoringPermissions } from '../../hooks/useMonitoringPermissions';
import { orchTranslationRef } from '../../translations/ref';
import { CursorPagination } from '../CursorPagination';
import { EndpointPicker } from '../containers/EndpointPicker';
import { MonitoringError } from '../containers/MonitoringError';
import { MONITORING_POLL_MS, useEndpoints } from '../containers/useEndpoints';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { IncidentsTable } from './IncidentsTable';
import { useIncidentList } from './useIncidentList';

const STATUSES: IncidentStatus[] = ['open', 'acknowledged', 'resolved'];
/** What the list shows when the URL names no status: what needs someone. */
export const DEFAULT_INCIDENT_STATUSES: IncidentStatus[] = [
  'open',
  'acknowledged',
];
const PAGE_SIZE = 25;

/** `?status=` → statuses; absent → open and acknowledged; `all` → every one. */
function parseStatuses(value: string | null): IncidentStatus[] {
  if (value === null) return DEFAULT_INCIDENT_STATUSES;
  if (value === 'all') return [];
  return value
    .split(',')
    .filter((s): s is IncidentStatus => STATUSES.includes(s as IncidentStatus));
}

/**
 * `/incidents`: incidents opened from Docker events, newest first, by
 * status (open and acknowledged unless asked otherwise), endpoint and
 * stack, a page at a time (the API's cursor), asked again every 10 s.
 */
export function IncidentsPage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const perms = useMonitoringPermissions();
  const [params, setParams] = useSearchParams();
  const endpoints = useEndpoints();
  const statusParam = params.get('status');
  const status = useMemo(() => parseStatuses(statusParam), [statusParam]);
  const endpointId = params.get('endpoint') ?? '';
  const stack = params.get('stack') ?? '';
  const [stackText, setStackText] = useState(stack);
  useEffect(() => setStackText(stack), [stack]);

  const setParam = (entries: Record<string, string | undefined>) =>
    setParams(current => {
      const copy = new URLSearchParams(current);
      for (const [key, value] of Object.entries(entries)) {
        if (value) copy.set(key, value);
        else copy.delete(key);
      }
      return copy;
    });
  useDebounce(
    () => {
      if (stackText.trim() !== stack) setParam({ stack: stackText.trim() });
    },
    400,
    [stackText],
  );

  const list = useIncidentList({
    status,
    endpointId: endpointId || undefined,
    stack: stack || undefined,
    limit: PAGE_SIZE,
  });
  const filtered = statusParam !== null || !!endpointId || !!stack;

  let body;
  if (!perms.loading && !perms.containerRead) {
    body = <Alert severity="warning">{t('monitoring.forbidden')}</Alert>;
  } else if (list.error && !list.page) {
    body = <MonitoringError error={list.error} onRetry={list.retry} />;
  } else if (!list.page) {
    body = (
      <Stack alignItems="center" py={6}>
        <CircularProgress aria-label={t('common.loading')} />
      </Stack>
    );
  } else if (list.page.items.length === 0 && list.pageIndex === 0) {
    body = (
      <Alert severity="info">
        {filtered ? t('incidents.noMatch') : t('incidents.empty')}
      </Alert>
    );
  } else {
    const { items, nextCursor } = list.page;
    body = (
      <>
        {list.error && (
          <Box mb={2}>
            <MonitoringError error={list.error} onRetry={list.retry} />
          </Box>
        )}
        <IncidentsTable incidents={items} endpoints={endpoints.endpoints} />
        <CursorPagination
          pageIndex={list.pageIndex}
          itemCount={items.length}
          hasMore={!!nextCursor}
          rowsPerPage={PAGE_SIZE}
          next={list.next}
          previous={list.previous}
          rangeLabel={(range, more) =>
            more
              ? t('incidents.pageRangeMore', range)
              : t('incidents.pageRange', range)
          }
          nextLabel={t('incidents.next')}
          previousLabel={t('incidents.previous')}
        />
      </>
    );
  }

  return (
    <OrchPageLayout
      title={t('incidents.title')}
      subtitle={t('incidents.subtitle')}
      actions={
        <Typography variant="body2" color="text.secondary">
          {t('incidents.live', { seconds: String(MONITORING_POLL_MS / 1000) })}
        </Typography>
      }
    >
      {perms.containerRead && (
        <Stack
          role="group"
          aria-label={t('incidents.filters')}
          direction={{ xs: 'column', md: 'row' }}
          spacing={2}
          mb={2}
          useFlexGap
          flexWrap="wrap"
          alignItems={{ md: 'flex-start' }}
        >
          <TextField
            select
            size="small"
            label={t('incidents.status')}
            value={status}
            sx={{ minWidth: 220 }}
            SelectProps={{
              multiple: true,
              renderValue: selected =>
                (selected as IncidentStatus[]).length === 0
                  ? t('incidents.statuses.all')
                  : (selected as IncidentStatus[])
                      .map(s => t(`incidents.statuses.${s}`))
                      .join(', '),
              displayEmpty: true,
            }}
            onChange={e => {
              const value = e.target.value as unknown as IncidentStatus[];
              setParam({ status: value.length ? value.join(',') : 'all' });
            }}
          >
            {STATUSES.map(s => (
              <MenuItem key={s} value={s}>
                <Checkbox size="small" checked={status.includes(s)} />
                <ListItemText primary={t(`incidents.statuses.${s}`)} />
              </MenuItem>
            ))}
          </TextField>
          {endpoints.endpoints && endpoints.endpoints.length > 1 && (
            <EndpointPicker
              allowAll
              endpoints={endpoints.endpoints}
              value={endpointId}
              onChange={id => setParam({ endpoint: id })}
            />
          )}
          <TextField
            size="small"
            label={t('incidents.stack')}
            helperText={t('incidents.stackHelp')}
            value={stackText}
            onChange={e => setStackText(e.target.value)}
            inputProps={{ maxLength: 200 }}
          />
          {filtered && (
            <Button
              onClick={() => {
                setStackText('');
                setParams(new URLSearchParams());
              }}
            >
              {t('incidents.clear')}
            </Button>
          )}
        </Stack>
      )}
      <Box sx={{ height: 4, mb: 1 }}>
        {list.loading && list.page && (
          <LinearProgress aria-label={t('common.loading')} />
        )}
      </Box>
      {body}
    </OrchPageLayout>
  );
}
