import {
  toastApiRef,
  useApi,
  useRouteRef,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import { runbookExecutePermission } from '@internal/backstage-plugin-orch-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  apiErrorMessage,
  errorStatus,
  useRunbooksClient,
} from '../../api/runbooksApi';
import { useJobLink } from '../../hooks/useJobLink';
import { useOrchMe } from '../../hooks/useOrchMe';
import { runbooksRouteRef } from '../../routes';
import { orchTranslationRef } from '../../translations/ref';
import { RiskChip } from '../RunbooksPage/RiskChip';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { RunbookForm } from './RunbookForm';

/** `/runbooks/:name/execute`: the runbook's form; submit → the job page. */
export function RunbookExecutePage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const { name = '' } = useParams();
  const client = useRunbooksClient();
  const me = useOrchMe();
  const navigate = useNavigate();
  const toastApi = useApi(toastApiRef);
  const jobLink = useJobLink();
  const runbooksLink = useRouteRef(runbooksRouteRef)?.() ?? '/runbooks';
  const {
    value: runbook,
    loading,
    error,
    retry,
  } = useAsyncRetry(() => client.getRunbook(name), [client, name]);

  const back = (
    <Link
      component={RouterLink}
      to={runbooksLink}
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5 }}
    >
      <ArrowBackIcon fontSize="small" />
      {t('runbookForm.back')}
    </Link>
  );

  let body;
  if (error) {
    const status = errorStatus(error);
    body =
      status === 404 ? (
        <Alert severity="warning">{t('runbookForm.notFound', { name })}</Alert>
      ) : (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={retry}>
              {t('common.retry')}
            </Button>
          }
        >
          {t('runbookForm.loadError')}: {apiErrorMessage(error)}
        </Alert>
      );
  } else if (!runbook || me.loading) {
    body =
      loading || me.loading ? (
        <Stack alignItems="center" py={6}>
          <CircularProgress aria-label={t('common.loading')} />
        </Stack>
      ) : null;
  } else if (!me.can(runbookExecutePermission.name)) {
    body = <Alert severity="info">{t('runbookForm.noPermission')}</Alert>;
  } else if (!runbook.enabled) {
    body = <Alert severity="warning">{t('runbookForm.disabled')}</Alert>;
  } else {
    body = (
      <RunbookForm
        runbook={runbook}
        onQueued={(jobId, request) => {
          toastApi.post({
            title: t('runbookForm.queued', {
              runbook: runbook.name,
              environment: request.environment,
            }),
            status: 'success',
            timeout: 5000,
          });
          navigate(jobLink(jobId));
        }}
      />
    );
  }

  return (
    <OrchPageLayout
      title={t('runbookForm.title', { title: runbook?.title ?? name })}
      subtitle={runbook ? `${runbook.name} · v${runbook.version}` : undefined}
      actions={back}
    >
      {runbook && (
        <Stack spacing={1.5} mb={3}>
          <Stack
            direction="row"
            spacing={1}
            useFlexGap
            flexWrap="wrap"
            alignItems="center"
          >
            <Chip size="small" label={runbook.category} />
            <RiskChip risk={runbook.risk} />
            <Typography component="span" variant="body2" color="text.secondary">
              {t('runbooks.timeout', {
                seconds: String(runbook.timeoutSeconds),
              })}
            </Typography>
          </Stack>
          <Typography maxWidth="80ch">{runbook.description}</Typography>
        </Stack>
      )}
      {body}
    </OrchPageLayout>
  );
}
