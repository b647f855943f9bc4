import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Link from '@mui/material/Link';
import { orchTranslationRef } from '../../translations/ref';
import { ORCH_MAIN_CONTENT_ID } from './OrchTopBar';

/**
 * "Skip to content": the first thing Tab reaches on every page, hidden until
 * focused, so keyboard users need not walk through the sidebar each time.
 * @public
 */
export function SkipLink() {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Link
      href={`#${ORCH_MAIN_CONTENT_ID}`}
      onClick={event => {
        // Move focus too: following the hash alone leaves it in the sidebar.
        event.preventDefault();
        document.getElementById(ORCH_MAIN_CONTENT_ID)?.focus();
      }}
      sx={{
        position: 'fixed',
        top: 8,
        left: -10000,
        zIndex: theme => theme.zIndex.tooltip,
        px: 2,
        py: 1,
        bgcolor: 'background.paper',
        border: 1,
        borderColor: 'primary.main',
        borderRadius: 1,
        '&:focus': { left: 8 },
      }}
    >
      {t('shell.topBar.skipToContent')}
    </Link>
  );
}
