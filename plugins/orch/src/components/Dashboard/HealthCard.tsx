import { useApi, useTranslationRef } from '@backstage/frontend-plugin-api';
import type { HealthCheckName } from '@internal/backstage-plugin-orch-common';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import ErrorIcon from '@mui/icons-material/Error';
import { orchApiRef } from '../../api/OrchClient';
import { orchTranslationRef } from '../../translations/ref';
import { useLivePoll } from './useLivePoll';
import { WidgetCard } from './WidgetCard';

const CHECKS: HealthCheckName[] = ['database', 'redis', 'worker'];

/** The backend's health report: database, queue, workers. */
export function HealthCard() {
  const { t } = useTranslationRef(orchTranslationRef);
  const orchApi = useApi(orchApiRef);
  const { value, loading, error, retry } = useLivePoll(
    () => orchApi.getHealth(),
    [orchApi],
  );
  return (
    <WidgetCard
      id="dashboard-health"
      title={t('dashboard.health.title')}
      loading={loading && !value}
      error={value ? undefined : error}
      errorTitle={t('dashboard.health.unreachable')}
      onRetry={retry}
      retryLabel={t('common.retry')}
      live
    >
      {value && (
        <>
          <Typography color="text.secondary">
            {value.status === 'ok'
              ? t('dashboard.health.ok')
              : t('dashboard.health.failing')}
          </Typography>
          <List dense aria-label={t('dashboard.health.title')}>
            {CHECKS.map(name => {
              const check = value.checks[name];
              const label = t(`dashboard.health.${name}`);
              const ok = check?.status === 'ok';
              return (
                <ListItem
                  key={name}
                  disableGutters
                  data-testid={`check-${name}`}
                >
                  <ListItemIcon sx={{ minWidth: 32 }}>
                    {ok ? (
                      <CheckCircleIcon color="success" fontSize="small" />
                    ) : (
                      <ErrorIcon color="error" fontSize="small" />
                    )}
                  </ListItemIcon>
                  <ListItemText
                    primary={
                      ok
                        ? t('dashboard.health.checkOk', { check: label })
                        : t('dashboard.health.checkFailing', {
                            check: label,
                            error: check?.error ?? '—',
                          })
                    }
                  />
                </ListItem>
              );
            })}
          </List>
        </>
      )}
    </WidgetCard>
  );
}
