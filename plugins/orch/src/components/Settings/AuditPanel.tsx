import { useState, type FormEvent } from 'react';
import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  AUDIT_ACTIONS,
  type AuditEntry,
} from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { orchApiRef } from '../../api/OrchClient';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { errorMessage, queryString } from './apiErrors';
import { ListStatus, listStatusShows } from './ListStatus';

type Filters = {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
};
type AuditPage = { items: AuditEntry[]; nextCursor?: string };

const EMPTY: Filters = { actor: '', action: '', target: '', from: '', to: '' };
const PAGE_SIZE = '50';

/** `from`/`to` come from date inputs (local days); the API takes instants. */
function toQuery(filters: Filters) {
  return {
    actor: filters.actor.trim() || undefined,
    action: filters.action || undefined,
    target: filters.target.trim() || undefined,
    from: filters.from
      ? new Date(`${filters.from}T00:00:00`).toISOString()
      : undefined,
    to: filters.to
      ? new Date(`${filters.to}T23:59:59.999`).toISOString()
      : undefined,
  };
}

const OUTCOME_COLORS = {
  success: 'success',
  failure: 'error',
  denied: 'warning',
} as const;

/** The audit log, newest first: filters and cursor pagination. */
export function AuditPanel() {
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const fmt = useFormatters();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [extra, setExtra] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [moreError, setMoreError] = useState<string>();

  const first = useAsyncRetry(async () => {
    const page = await orchApi.request<AuditPage>(
      'GET',
      `/v1/audit${queryString({ ...toQuery(applied), limit: PAGE_SIZE })}`,
    );
    setExtra([]);
    setCursor(page.nextCursor);
    return page;
  }, [orchApi, applied]);

  const loadMore = async () => {
    setMoreError(undefined);
    try {
      const page = await orchApi.request<AuditPage>(
        'GET',
        `/v1/audit${queryString({
          ...toQuery(applied),
          cursor,
          limit: PAGE_SIZE,
        })}`,
      );
      setExtra(entries => [...entries, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(errorMessage(e));
    }
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ ...draft });
  };

  const entries = [...(first.value?.items ?? []), ...extra];
  const set = (key: keyof Filters) => (value: string) =>
    setDraft(d => ({ ...d, [key]: value }));

  let body;
  if (listStatusShows(first, entries.length)) {
    body = (
      <ListStatus
        state={first}
        count={entries.length}
        emptyText={t('settings.audit.empty')}
      />
    );
  } else {
    body = (
      <TableContainer>
        <Table size="small" aria-label={t('settings.audit.title')}>
          <TableHead>
            <TableRow>
              <TableCell>{t('settings.audit.when')}</TableCell>
              <TableCell>{t('settings.audit.actor')}</TableCell>
              <TableCell>{t('settings.audit.action')}</TableCell>
              <TableCell>{t('settings.audit.target')}</TableCell>
              <TableCell>{t('settings.audit.outcome')}</TableCell>
              <TableCell>{t('settings.audit.details')}</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {entries.map(entry => (
              <TableRow key={entry.id}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  {fmt.dateTime(entry.ts)}
                </TableCell>
                <TableCell>
                  {entry.actor.replace(/^user:[^/]+\//, '')}
                </TableCell>
                <TableCell>
                  <code>{entry.action}</code>
                </TableCell>
                <TableCell>
                  {entry.targetType &&
                    `${entry.targetType}${
                      entry.targetId ? `:${entry.targetId}` : ''
                    }`}
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    variant="outlined"
                    color={OUTCOME_COLORS[entry.outcome]}
                    label={t(`settings.audit.outcomes.${entry.outcome}`)}
                  />
                </TableCell>
                <TableCell>
                  {entry.metadata && Object.keys(entry.metadata).length > 0 && (
                    <Box
                      component="code"
                      sx={{
                        fontSize: 12,
                        wordBreak: 'break-all',
                        display: 'block',
                        maxWidth: 420,
                      }}
                    >
                      {JSON.stringify(entry.metadata)}
                    </Box>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <section aria-labelledby="orch-audit-title">
      <Typography id="orch-audit-title" component="h2" variant="h6" mb={2}>
        {t('settings.audit.title')}
      </Typography>
      <Box
        component="form"
        onSubmit={apply}
        aria-label={t('settings.audit.apply')}
        mb={2}
      >
        <Stack
          direction={{ xs: 'column', md: 'row' }}
          spacing={2}
          alignItems={{ md: 'flex-start' }}
        >
          <TextField
            id="orch-audit-actor"
            size="small"
            label={t('settings.audit.actor')}
            value={draft.actor}
            onChange={e => set('actor')(e.target.value)}
          />
          <Autocomplete
            freeSolo
            size="small"
            options={[...AUDIT_ACTIONS]}
            inputValue={draft.action}
            onInputChange={(_, value) => set('action')(value)}
            sx={{ minWidth: 220 }}
            renderInput={params => (
              <TextField
                {...params}
                id="orch-audit-action"
                label={t('settings.audit.action')}
              />
            )}
          />
          <TextField
            id="orch-audit-target"
            size="small"
            label={t('settings.audit.target')}
            helperText={t('settings.audit.targetHelp')}
            value={draft.target}
            onChange={e => set('target')(e.target.value)}
          />
          <TextField
            id="orch-audit-from"
            size="small"
            type="date"
            label={t('settings.audit.from')}
            InputLabelProps={{ shrink: true }}
            value={draft.from}
            onChange={e => set('from')(e.target.value)}
          />
          <TextField
            id="orch-audit-to"
            size="small"
            type="date"
            label={t('settings.audit.to')}
            InputLabelProps={{ shrink: true }}
            value={draft.to}
            onChange={e => set('to')(e.target.value)}
          />
          <Button type="submit" variant="contained">
            {t('settings.audit.apply')}
          </Button>
          <Button
            onClick={() => {
              setDraft(EMPTY);
              setApplied(EMPTY);
            }}
          >
            {t('settings.audit.clear')}
          </Button>
        </Stack>
      </Box>
      {body}
      {moreError && (
        <Alert severity="error" sx={{ mt: 2 }}>
          {moreError}
        </Alert>
      )}
      {cursor && (
        <Button sx={{ mt: 2 }} onClick={loadMore}>
          {t('common.loadMore')}
        </Button>
      )}
    </section>
  );
}
