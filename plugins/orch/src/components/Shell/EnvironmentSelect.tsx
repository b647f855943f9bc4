import { useTranslationRef } from '@backstage/frontend-plugin-api';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import {
  ORCH_ENVIRONMENTS,
  useOrchEnvironment,
  type OrchEnvironment,
} from '../../hooks/useOrchEnvironment';
import { orchTranslationRef } from '../../translations/ref';

const ALL = 'all';

/**
 * The top bar's environment selector: `prod`, `stage` or all of them.
 * Runbooks, jobs and connections follow it; the choice is remembered.
 */
export function EnvironmentSelect() {
  const { t } = useTranslationRef(orchTranslationRef);
  const { environment, setEnvironment } = useOrchEnvironment();
  return (
    <TextField
      select
      size="small"
      id="orch-environment"
      label={t('shell.topBar.environment')}
      value={environment ?? ALL}
      onChange={e =>
        setEnvironment(
          e.target.value === ALL
            ? undefined
            : (e.target.value as OrchEnvironment),
        )
      }
      title={t('shell.topBar.environmentHelp')}
      sx={{ minWidth: 160 }}
    >
      <MenuItem value={ALL}>{t('shell.topBar.allEnvironments')}</MenuItem>
      {ORCH_ENVIRONMENTS.map(env => (
        <MenuItem key={env} value={env}>
          {env}
        </MenuItem>
      ))}
    </TextField>
  );
}
