import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  auditReadPermission,
  connectionReadPermission,
  userReadPermission,
} from '@internal/backstage-plugin-orch-common';
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useSearchParams } from 'react-router-dom';
import { useOrchMe } from '../../hooks/useOrchMe';
import { orchTranslationRef } from '../../translations/ref';
import { OrchPageLayout } from '../Shell/OrchPageLayout';
import { AuditPanel } from './AuditPanel';
import { ConnectionsPanel } from './ConnectionsPanel';
import { PreferencesPanel } from './PreferencesPanel';
import { UsersPanel } from './UsersPanel';

type TabKey = 'preferences' | 'connections' | 'users' | 'audit';

const TAB_PERMISSIONS: Record<TabKey, string | undefined> = {
  preferences: undefined,
  connections: connectionReadPermission.name,
  users: userReadPermission.name,
  audit: auditReadPermission.name,
};

/**
 * `/settings`: preferences for everyone; connections, users and the audit
 * log only for those whose roles grant reading them (the server checks
 * again on every call). The tab is in the URL (`?tab=`).
 * @public
 */
export function SettingsPage() {
  const { t } = useTranslationRef(orchTranslationRef);
  const { can } = useOrchMe();
  const [params, setParams] = useSearchParams();
  const tabs = (Object.keys(TAB_PERMISSIONS) as TabKey[]).filter(key => {
    const permission = TAB_PERMISSIONS[key];
    return !permission || can(permission);
  });
  const requested = params.get('tab') as TabKey | null;
  const tab: TabKey =
    requested && tabs.includes(requested) ? requested : 'preferences';

  return (
    <OrchPageLayout title={t('settings.title')}>
      <Box sx={{ borderBottom: 1, borderColor: 'divider', mb: 3 }}>
        <Tabs
          value={tab}
          onChange={(_, next: TabKey) =>
            setParams(next === 'preferences' ? {} : { tab: next })
          }
          aria-label={t('settings.tabs.label')}
          variant="scrollable"
          allowScrollButtonsMobile
        >
          {tabs.map(key => (
            <Tab
              key={key}
              value={key}
              label={t(`settings.tabs.${key}`)}
              id={`orch-settings-tab-${key}`}
              aria-controls={`orch-settings-panel-${key}`}
            />
          ))}
        </Tabs>
      </Box>
      <Box
        role="tabpanel"
        id={`orch-settings-panel-${tab}`}
        aria-labelledby={`orch-settings-tab-${tab}`}
      >
        {tab === 'preferences' && <PreferencesPanel />}
        {tab === 'connections' && <ConnectionsPanel />}
        {tab === 'users' && <UsersPanel />}
        {tab === 'audit' && <AuditPanel />}
      </Box>
    </OrchPageLayout>
  );
}
