import { useMemo } from 'react';
import { useRouteRef, useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  runbookExecutePermission,
  type Runbook,
} from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Grid from '@mui/material/Grid';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import SearchIcon from '@mui/icons-material/Search';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  apiErrorMessage,
  errorStatus,
  useRunbooksClient,
} from '../../api/runbooksApi';
import { useOrchEnvironment } from '../../hooks/useOrchEnvironment';
import { useOrchMe } from '../../hooks/useOrchMe';
import { runbookExecuteRouteRef } from '../../routes';
import { orchTranslationRef } from '../../translations/ref';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { RunbookCard } from './RunbookCard';

const ALL = '';

function matches(runbook: Runbook, text: string): boolean {
  if (!text) return true;
  const needle = text.toLocaleLowerCase();
  return [runbook.name, runbook.title, runbook.description, runbook.category]
    .join('\n')
    .toLocaleLowerCase()
    .includes(needle);
}

/**
 * `/runbooks`: every runbook the environment allows, searchable and by
 * category. Search and category live in the URL, so a filtered view can be
 * shared; the environment comes from the top bar's selector.
 */
export function RunbookCatalog() {
  const { t } = useTranslationRef(orchTranslationRef);
  const client = useRunbooksClient();
  const { environment } = useOrchEnvironment();
  const { can } = useOrchMe();
  const executeRoute = useRouteRef(runbookExecuteRouteRef);
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const category = params.get('category') ?? ALL;

  const { value, loading, error, retry } = useAsyncRetry(
    () => client.listRunbooks({ environment }),
    [client, environment],
  );

  const categories = useMemo(
    () => [...new Set((value ?? []).map(r => r.category))].sort(),
    [value],
  );
  const visible = useMemo(
    () =>
      (value ?? []).filter(
        r => (!category || r.category === category) && matches(r, search),
      ),
    [value, category, search],
  );

  const setParam = (key: string, next: string) =>
    setParams(
      current => {
        const copy = new URLSearchParams(current);
        if (next) copy.set(key, next);
        else copy.delete(key);
        return copy;
      },
      { replace: true },
    );

  const canExecute = can(runbookExecutePermission.name);
  const executePath = (name: string) =>
    executeRoute?.({ name }) ?? `/runbooks/${encodeURIComponent(name)}/execute`;

  let body;
  if (error) {
    body = (
      <Alert
        severity={errorStatus(error) === 403 ? 'warning' : 'error'}
        action={
          <Button color="inherit" size="small" onClick={retry}>
            {t('common.retry')}
          </Button>
        }
      >
        {errorStatus(error) === 403
          ? t('runbooks.noPermission')
          : `${t('runbooks.loadError')}: ${apiErrorMessage(error)}`}
      </Alert>
    );
  } else if (!value) {
    body = loading ? (
      <Stack alignItems="center" py={6}>
        <CircularProgress aria-label={t('common.loading')} />
      </Stack>
    ) : null;
  } else if (value.length === 0) {
    body = (
      <Alert severity="info">
        {environment
          ? t('runbooks.emptyEnvironment', { environment })
          : t('runbooks.empty')}
      </Alert>
    );
  } else if (visible.length === 0) {
    body = (
      <Alert
        severity="info"
        action={
          <Button
            color="inherit"
            size="small"
            onClick={() => setParams(new URLSearchParams(), { replace: true })}
          >
            {t('runbooks.clearFilters')}
          </Button>
        }
      >
        {t('runbooks.noMatch')}
      </Alert>
    );
  } else {
    body = (
      <Grid
        container
        spacing={2}
        component="ul"
        sx={{ listStyle: 'none', p: 0 }}
      >
        {visible.map(runbook => (
          <Grid item key={runbook.name} xs={12} md={6} lg={4} component="li">
            <RunbookCard
              runbook={runbook}
              executePath={canExecute ? executePath(runbook.name) : undefined}
            />
          </Grid>
        ))}
      </Grid>
    );
  }

  return (
    <OrchPageLayout
      title={t('runbooks.title')}
      subtitle={
        environment
          ? t('runbooks.environmentFilter', { environment })
          : t('runbooks.subtitle')
      }
    >
      <Stack
        role="search"
        aria-label={t('runbooks.search')}
        direction={{ xs: 'column', sm: 'row' }}
        spacing={2}
        mb={3}
        alignItems={{ sm: 'center' }}
      >
        <TextField
          id="runbooks-search"
          type="search"
          size="small"
          label={t('runbooks.search')}
          placeholder={t('runbooks.searchPlaceholder')}
          value={search}
          onChange={e => setParam('q', e.target.value)}
          InputProps={{
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          }}
          sx={{ minWidth: 280 }}
        />
        <TextField
          id="runbooks-category"
          select
          size="small"
          label={t('runbooks.category')}
          value={categories.includes(category) ? category : ALL}
          onChange={e => setParam('category', e.target.value)}
          sx={{ minWidth: 200 }}
        >
          <MenuItem value={ALL}>{t('runbooks.allCategories')}</MenuItem>
          {categories.map(c => (
            <MenuItem key={c} value={c}>
              {c}
            </MenuItem>
          ))}
        </TextField>
        {value && (
          <Typography
            color="text.secondary"
            variant="body2"
            role="status"
            aria-live="polite"
          >
            {t('runbooks.count', { count: visible.length })}
          </Typography>
        )}
      </Stack>
      {body}
    </OrchPageLayout>
  );
}
