import { useEffect, useState } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  JOB_STATUSES,
  type JobStatus,
} from '@internal/backstage-plugin-orch-common';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import useDebounce from 'react-use/esm/useDebounce';
import {
  ORCH_ENVIRONMENTS,
  type OrchEnvironment,
} from '../../hooks/useOrchEnvironment';
import { orchTranslationRef } from '../../translations/ref';

const ALL = '';

/** The filters of the jobs list, as the URL and the top bar hold them. */
export type JobsFilterValues = {
  status: JobStatus[];
  runbook: string;
  environment?: OrchEnvironment;
  /** As typed: `ada` or `user:default/ada`. */
  user: string;
};

/**
 * Status (several at once), runbook, environment (the top bar's, shared)
 * and who started the job. The user field waits for a pause in typing.
 */
export function JobsFilters(props: {
  values: JobsFilterValues;
  runbooks?: string[];
  myEntityRef?: string;
  onChange: (values: Partial<JobsFilterValues>) => void;
  onClear: () => void;
}) {
  const { values, onChange } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const [user, setUser] = useState(values.user);

  useEffect(() => setUser(values.user), [values.user]);
  useDebounce(
    () => {
      if (user !== values.user) onChange({ user });
    },
    400,
    [user],
  );

  const runbookOptions = props.runbooks ?? [];
  // The environment is the top bar's: clearing the list's filters keeps it.
  const filtered =
    values.status.length > 0 || !!values.runbook || !!values.user;

  return (
    <Stack
      role="group"
      aria-label={t('jobs.filters')}
      direction={{ xs: 'column', md: 'row' }}
      spacing={2}
      mb={2}
      alignItems={{ md: 'flex-start' }}
      flexWrap="wrap"
      useFlexGap
    >
      <TextField
        id="jobs-filter-status"
        select
        size="small"
        label={t('jobs.status')}
        value={values.status}
        onChange={e => {
          const raw = e.target.value as unknown;
          const list =
            typeof raw === 'string' ? raw.split(',') : (raw as string[]);
          onChange({
            status: JOB_STATUSES.filter(s => list.includes(s)),
          });
        }}
        SelectProps={{
          multiple: true,
          displayEmpty: true,
          renderValue: selected =>
            (selected as JobStatus[]).length
              ? (selected as JobStatus[])
                  .map(s => t(`common.status.${s}`))
                  .join(', ')
              : t('jobs.allStatuses'),
        }}
        InputLabelProps={{ shrink: true }}
        sx={{ minWidth: 200 }}
      >
        {JOB_STATUSES.map(status => (
          <MenuItem key={status} value={status}>
            <Checkbox
              size="small"
              checked={values.status.includes(status)}
              inputProps={{ 'aria-hidden': true }}
              tabIndex={-1}
            />
            <ListItemText primary={t(`common.status.${status}`)} />
          </MenuItem>
        ))}
      </TextField>

      {props.runbooks ? (
        <TextField
          id="jobs-filter-runbook"
          select
          size="small"
          label={t('jobs.runbook')}
          value={values.runbook}
          onChange={e => onChange({ runbook: e.target.value })}
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
          sx={{ minWidth: 200 }}
        >
          <MenuItem value={ALL}>{t('jobs.allRunbooks')}</MenuItem>
          {[
            ...runbookOptions,
            ...(values.runbook && !runbookOptions.includes(values.runbook)
              ? [values.runbook]
              : []),
          ].map(name => (
            <MenuItem key={name} value={name}>
              {name}
            </MenuItem>
          ))}
        </TextField>
      ) : (
        <TextField
          id="jobs-filter-runbook"
          size="small"
          label={t('jobs.runbook')}
          value={values.runbook}
          onChange={e => onChange({ runbook: e.target.value.trim() })}
          sx={{ minWidth: 200 }}
        />
      )}

      <TextField
        id="jobs-filter-environment"
        select
        size="small"
        label={t('jobs.environment')}
        value={values.environment ?? ALL}
        onChange={e =>
          onChange({
            environment: (e.target.value || undefined) as
              | OrchEnvironment
              | undefined,
          })
        }
        SelectProps={{ displayEmpty: true }}
        InputLabelProps={{ shrink: true }}
        sx={{ minWidth: 180 }}
      >
        <MenuItem value={ALL}>{t('jobs.allEnvironments')}</MenuItem>
        {ORCH_ENVIRONMENTS.map(env => (
          <MenuItem key={env} value={env}>
            {env}
          </MenuItem>
        ))}
      </TextField>

      <TextField
        id="jobs-filter-user"
        type="search"
        size="small"
        label={t('jobs.user')}
        helperText={t('jobs.userHelp')}
        value={user}
        onChange={e => setUser(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Enter') onChange({ user });
        }}
        sx={{ minWidth: 220 }}
      />

      <Stack direction="row" spacing={1} pt={0.5}>
        {props.myEntityRef && (
          <Button
            size="small"
            variant={
              values.user === props.myEntityRef ? 'contained' : 'outlined'
            }
            aria-pressed={values.user === props.myEntityRef}
            onClick={() =>
              onChange({
                user:
                  values.user === props.myEntityRef ? '' : props.myEntityRef,
              })
            }
          >
            {t('jobs.mine')}
          </Button>
        )}
        {filtered && (
          <Button size="small" onClick={props.onClear}>
            {t('jobs.clearFilters')}
          </Button>
        )}
      </Stack>
    </Stack>
  );
}
