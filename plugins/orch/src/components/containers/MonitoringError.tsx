import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import { errorStatus } from '../../api/runbooksApi';
import { orchTranslationRef } from '../../translations/ref';
import { errorMessage } from '../Settings/apiErrors';

/**
 * A failed call to the portainer plugin, said honestly: not installed
 * (404 on its API), not allowed (403), or the server's own message (a
 * 502/503 names the endpoint that did not answer) with a retry.
 */
export function MonitoringError(props: {
  error: Error;
  title?: string;
  onRetry?: () => void;
  forbiddenText?: string;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const status = errorStatus(props.error);
  if (status === 404 && !props.title) {
    return (
      <Alert severity="info" variant="outlined">
        <AlertTitle>{t('monitoring.notConfigured')}</AlertTitle>
        {t('monitoring.notConfiguredText')}
      </Alert>
    );
  }
  if (status === 403) {
    return (
      <Alert severity="warning">
        {props.forbiddenText ?? t('monitoring.forbidden')}
      </Alert>
    );
  }
  return (
    <Alert
      severity="error"
      action={
        props.onRetry && (
          <Button color="inherit" size="small" onClick={props.onRetry}>
            {t('common.retry')}
          </Button>
        )
      }
    >
      {props.title && <AlertTitle>{props.title}</AlertTitle>}
      {errorMessage(props.error)}
    </Alert>
  );
}
