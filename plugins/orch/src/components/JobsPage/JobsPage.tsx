import { useMemo, useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  JOB_STATUSES,
  jobReadPermission,
  type JobStatus,
} from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useInterval from 'react-use/esm/useInterval';
import {
  apiErrorMessage,
  errorStatus,
  useRunbooksClient,
} from '../../api/runbooksApi';
import { useOrchEnvironment } from '../../hooks/useOrchEnvironment';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { CursorPagination } from '../CursorPagination';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { JobsFilters, type JobsFilterValues } from './JobsFilters';
import { JobsTable } from './JobsTable';
import { JOBS_ACTIVE_POLL_MS, useJobsList } from './useJobsList';

const PAGE_SIZES = [25, 50, 100];
const DEFAULT_PAGE_SIZE = 50;

/** `ada` → `user:default/ada`; a full entity ref stays as it is. */
export function toEntityRef(user: string): string | undefined {
  const value = user.trim();
  if (!value) return undefined;
  return value.includes(':') ? value : `user:default/${value}`;
}

/**
 * `/jobs`: every job, newest first, filtered by status, runbook,
 * environment and who started it, a page at a time, with live statuses.
 * Filters live in the URL (shareable, Back works) except the environment,
 * which is the top bar's.
 */
export function JobsPage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const client = useRunbooksClient();
  const me = useOrchMe();
  const { environment, setEnvironment } = useOrchEnvironment();
  const [params, setParams] = useSearchParams();

  const status = useMemo(
    () =>
      (params.get('status') ?? '')
        .split(',')
        .filter((s): s is JobStatus => JOB_STATUSES.includes(s as JobStatus)),
    [params],
  );
  const runbook = params.get('runbook') ?? '';
  const user = params.get('createdBy') ?? '';
  const limitParam = Number(params.get('limit'));
  const limit = PAGE_SIZES.includes(limitParam)
    ? limitParam
    : DEFAULT_PAGE_SIZE;

  const list = useJobsList({
    status,
    runbook: runbook || undefined,
    environment,
    createdBy: toEntityRef(user),
    limit,
  });
  const runbooks = useAsync(
    async () => (await client.listRunbooks()).map(r => r.name),
    [client],
  );

  // Durations of running jobs and "x min ago" move on between polls.
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 1000);

  const setParam = (entries: Record<string, string | undefined>) =>
    setParams(current => {
      const copy = new URLSearchParams(current);
      for (const [key, value] of Object.entries(entries)) {
        if (value) copy.set(key, value);
        else copy.delete(key);
      }
      return copy;
    });

  const onFilters = (changes: Partial<JobsFilterValues>) => {
    if ('environment' in changes) setEnvironment(changes.environment);
    const entries: Record<string, string | undefined> = {};
    if (changes.status) entries.status = changes.status.join(',');
    if (changes.runbook !== undefined) entries.runbook = changes.runbook;
    if (changes.user !== undefined) entries.createdBy = changes.user;
    if (Object.keys(entries).length) setParam(entries);
  };

  const filtered = status.length > 0 || !!runbook || !!user || !!environment;
  const mayRead = me.loading || me.can(jobReadPermission.name);
  const forbidden = !mayRead || errorStatus(list.error) === 403;

  let body;
  if (forbidden) {
    body = <Alert severity="warning">{t('jobs.noPermission')}</Alert>;
  } else if (list.error && !list.page) {
    body = (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={list.retry}>
            {t('common.retry')}
          </Button>
        }
      >
        {t('jobs.loadError')}: {apiErrorMessage(list.error)}
      </Alert>
    );
  } else if (!list.page) {
    body = (
      <Stack alignItems="center" py={6}>
        <CircularProgress aria-label={t('common.loading')} />
      </Stack>
    );
  } else if (list.page.items.length === 0 && list.pageIndex === 0) {
    body = (
      <Alert severity="info">
        {filtered ? t('jobs.noMatch') : t('jobs.empty')}
      </Alert>
    );
  } else {
    const { items, nextCursor } = list.page;
    body = (
      <>
        {list.error && (
          <Alert
            severity="error"
            sx={{ mb: 2 }}
            action={
              <Button color="inherit" size="small" onClick={list.retry}>
                {t('common.retry')}
              </Button>
            }
          >
            {t('jobs.loadError')}: {apiErrorMessage(list.error)}
          </Alert>
        )}
        <JobsTable jobs={items} now={now} />
        <CursorPagination
          pageIndex={list.pageIndex}
          itemCount={items.length}
          hasMore={!!nextCursor}
          rowsPerPage={limit}
          rowsPerPageOptions={PAGE_SIZES}
          next={list.next}
          previous={list.previous}
          onRowsPerPageChange={value => setParam({ limit: value })}
          labelRowsPerPage={t('jobs.rowsPerPage')}
          rangeLabel={(range, more) =>
            more ? t('jobs.pageRangeMore', range) : t('jobs.pageRange', range)
          }
          nextLabel={t('jobs.next')}
          previousLabel={t('jobs.previous')}
        />
      </>
    );
  }

  return (
    <OrchPageLayout
      title={t('jobs.title')}
      subtitle={t('jobs.subtitle')}
      actions={
        list.live && (
          <Typography variant="body2" color="text.secondary">
            {t('jobs.live', { seconds: String(JOBS_ACTIVE_POLL_MS / 1000) })}
          </Typography>
        )
      }
    >
      <JobsFilters
        values={{ status, runbook, environment, user }}
        runbooks={runbooks.value}
        myEntityRef={me.me?.entityRef}
        onChange={onFilters}
        onClear={() => {
          setParams(current => {
            const copy = new URLSearchParams();
            const size = current.get('limit');
            if (size) copy.set('limit', size);
            return copy;
          });
        }}
      />
      <Box sx={{ height: 4, mb: 1 }}>
        {list.loading && list.page && (
          <LinearProgress aria-label={t('common.loading')} />
        )}
      </Box>
      {body}
    </OrchPageLayout>
  );
}
