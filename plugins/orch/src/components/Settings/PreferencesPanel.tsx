import {
  appThemeApiRef,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import useObservable from 'react-use/esm/useObservable';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { LanguageSelect } from '../Shell/LanguageSelect';

/** Theme, language and who you are. */
export function PreferencesPanel() {
  const { t } = useTranslationRef(orchTranslationRef);
  const themeApi = useApi(appThemeApiRef);
  const themeId = useObservable(
    themeApi.activeThemeId$(),
    themeApi.getActiveThemeId(),
  );
  const { me } = useOrchMe();
  // Orch is dark unless light was chosen (see the app's theme module).
  const mode = themeId === 'light' ? 'light' : 'dark';

  return (
    <Stack spacing={3} sx={{ maxWidth: 640 }}>
      <Card
        variant="outlined"
        component="section"
        aria-labelledby="orch-pref-theme"
      >
        <CardContent>
          <Typography id="orch-pref-theme" component="h2" variant="h6" mb={2}>
            {t('settings.preferences.theme')}
          </Typography>
          <ToggleButtonGroup
            exclusive
            value={mode}
            onChange={(_, next: 'dark' | 'light' | null) => {
              if (next) {
                themeApi.setActiveThemeId(next);
              }
            }}
            aria-labelledby="orch-pref-theme"
          >
            <ToggleButton value="dark">
              <DarkModeIcon fontSize="small" sx={{ mr: 1 }} />
              {t('settings.preferences.themeDark')}
            </ToggleButton>
            <ToggleButton value="light">
              <LightModeIcon fontSize="small" sx={{ mr: 1 }} />
              {t('settings.preferences.themeLight')}
            </ToggleButton>
          </ToggleButtonGroup>
        </CardContent>
      </Card>
      <Card
        variant="outlined"
        component="section"
        aria-labelledby="orch-pref-language"
      >
        <CardContent>
          <Typography
            id="orch-pref-language"
            component="h2"
            variant="h6"
            mb={2}
          >
            {t('settings.preferences.language')}
          </Typography>
          <LanguageSelect size="medium" />
        </CardContent>
      </Card>
      <Card
        variant="outlined"
        component="section"
        aria-labelledby="orch-pref-account"
      >
        <CardContent>
          <Typography id="orch-pref-account" component="h2" variant="h6" mb={1}>
            {t('settings.preferences.account')}
          </Typography>
          <Typography>{me?.displayName}</Typography>
          <Typography color="text.secondary">
            {me?.email ?? me?.entityRef}
          </Typography>
          <Stack direction="row" spacing={0.5} mt={1}>
            {(me?.roles ?? []).map(role => (
              <Chip key={role} size="small" label={t(`common.roles.${role}`)} />
            ))}
          </Stack>
        </CardContent>
      </Card>
    </Stack>
  );
}
