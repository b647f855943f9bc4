import { useTranslationRef } from '@backstage/frontend-plugin-api';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import useAsync from 'react-use/esm/useAsync';
import {
  apiErrorMessage,
  errorStatus,
  useRunbooksClient,
} from '../../api/runbooksApi';
import { orchTranslationRef } from '../../translations/ref';

const NONE = '';

/**
 * Chooses one connection of `type` among those of `environment` (the
 * server filters both). Says so when there is none, or when the user may
 * not read connections.
 */
export function ConnectionPicker(props: {
  type: string;
  environment?: string;
  value?: string;
  onChange: (id: string | undefined) => void;
  onForbidden: () => void;
  disabled?: boolean;
}) {
  const { type, environment, onForbidden } = props;
  const { t } = useTranslationRef(orchTranslationRef);
  const client = useRunbooksClient();
  const { value, loading, error } = useAsync(async () => {
    if (!environment) return undefined;
    try {
      return await client.listConnections({ type, environment });
    } catch (e) {
      if (errorStatus(e) === 403) onForbidden();
      throw e;
    }
  }, [client, type, environment]);

  const id = `orch-execute-connection-${type}`;
  let helperText: string = environment
    ? t('runbookForm.connectionHelp', { type, environment })
    : t('runbookForm.pickEnvironmentFirst');
  if (error && errorStatus(error) !== 403) {
    helperText = t('runbookForm.connectionsError', {
      type,
      message: apiErrorMessage(error),
    });
  } else if (environment && value && value.length === 0) {
    helperText = t('runbookForm.noConnections', { type, environment });
  }

  return (
    <TextField
      id={id}
      select
      size="small"
      label={t('runbookForm.connection', { type })}
      value={value?.some(c => c.id === props.value) ? props.value : NONE}
      onChange={e => props.onChange(e.target.value || undefined)}
      disabled={props.disabled || !environment || loading || !!error}
      error={!!error && errorStatus(error) !== 403}
      helperText={helperText}
      sx={{ minWidth: 280 }}
      inputProps={{ 'data-testid': id }}
    >
      <MenuItem value={NONE}>
        <em>{t('runbookForm.noConnection')}</em>
      </MenuItem>
      {(value ?? []).map(c => (
        <MenuItem key={c.id} value={c.id}>
          {c.name}
          {c.description ? ` — ${c.description}` : ''}
        </MenuItem>
      ))}
    </TextField>
  );
}
