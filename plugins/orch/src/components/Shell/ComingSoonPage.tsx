import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import { Link as RouterLink } from 'react-router-dom';
import { orchTranslationRef } from '../../translations/ref';
import { OrchPageLayout } from './OrchPageLayout';

/**
 * An honest stand-in for a page whose issue has not landed: it names the
 * issue and offers nothing that pretends to work.
 */
export function ComingSoonPage(props: {
  page: 'containers' | 'logs' | 'ai';
  /** The issue that brings the page; none for the AI assistant yet. */
  issue?: number;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const page = t(`shell.nav.${props.page}`);
  const issue = props.issue
    ? t('shell.placeholder.issue', { number: String(props.issue) })
    : t('shell.placeholder.aiIssue');
  return (
    <OrchPageLayout title={page}>
      <Alert severity="info" variant="outlined" sx={{ maxWidth: 720 }}>
        <AlertTitle>{t('shell.placeholder.title', { page })}</AlertTitle>
        {t('shell.placeholder.text', { issue })}
      </Alert>
      <Button
        component={RouterLink}
        to="/dashboard"
        variant="outlined"
        sx={{ mt: 3 }}
      >
        {t('shell.placeholder.back')}
      </Button>
    </OrchPageLayout>
  );
}
