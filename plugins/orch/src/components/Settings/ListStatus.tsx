import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { orchTranslationRef } from '../../translations/ref';
import { errorMessage } from './apiErrors';

/**
 * What a settings list shows instead of its table: the error with a retry,
 * the first load, or the empty message. `null` when the table should show.
 */
export function ListStatus(props: {
  state: {
    error?: Error;
    loading: boolean;
    value?: unknown;
    retry: () => void;
  };
  count: number;
  emptyText: string;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const { state } = props;
  if (state.error) {
    return (
      <Alert
        severity="error"
        action={
          <Button color="inherit" size="small" onClick={state.retry}>
            {t('common.retry')}
          </Button>
        }
      >
        {errorMessage(state.error)}
      </Alert>
    );
  }
  if (state.loading && !state.value) {
    return <CircularProgress aria-label={t('common.loading')} />;
  }
  if (props.count === 0) {
    return <Typography color="text.secondary">{props.emptyText}</Typography>;
  }
  return null;
}

/** Whether {@link ListStatus} shows something instead of the table. */
export function listStatusShows(
  state: { error?: Error; loading: boolean; value?: unknown },
  count: number,
): boolean {
  return Boolean(state.error) || (state.loading && !state.value) || count === 0;
}
