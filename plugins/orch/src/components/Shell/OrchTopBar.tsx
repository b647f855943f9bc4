import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@mui/material/Box';
import { orchTranslationRef } from '../../translations/ref';
import { EnvironmentSelect } from './EnvironmentSelect';
import { UserMenu } from './UserMenu';

/** The id of the element the "Skip to content" link moves focus to. */
export const ORCH_MAIN_CONTENT_ID = 'orch-main-content';

/**
 * The bar above every page: the global environment selector and the user
 * menu.
 * @public
 */
export function OrchTopBar() {
  const { t } = useTranslationRef(orchTranslationRef);
  return (
    <Box
      component="header"
      aria-label={t('shell.topBar.label')}
      sx={{
        position: 'sticky',
        top: 0,
        zIndex: theme => theme.zIndex.appBar,
        display: 'flex',
        alignItems: 'center',
        gap: 2,
        px: 3,
        py: 1,
        minHeight: 56,
        bgcolor: 'background.paper',
        borderBottom: 1,
        borderColor: 'divider',
      }}
    >
      <EnvironmentSelect />
      <Box sx={{ flexGrow: 1 }} />
      <UserMenu />
    </Box>
  );
}
