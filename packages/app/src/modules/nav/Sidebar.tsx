import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import {
  appTreeApiRef,
  coreExtensionData,
  useApi,
  useTranslationRef,
} from '@backstage/frontend-plugin-api';
import {
  NavContentBlueprint,
  type NavContentNavItems,
} from '@backstage/plugin-app-react';
import { orchTranslationRef } from '@internal/backstage-plugin-orch';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import { SidebarSearchModal } from '@backstage/plugin-search';
import type { IconComponent } from '@backstage/frontend-plugin-api';
import CategoryIcon from '@material-ui/icons/Category';
import DashboardIcon from '@material-ui/icons/Dashboard';
import DnsIcon from '@material-ui/icons/Dns';
import ListAltIcon from '@material-ui/icons/ListAlt';
import MenuIcon from '@material-ui/icons/Menu';
import NotificationsIcon from '@material-ui/icons/Notifications';
import ReportProblemIcon from '@material-ui/icons/ReportProblemOutlined';
import PlayCircleOutlineIcon from '@material-ui/icons/PlayCircleOutline';
import SearchIcon from '@material-ui/icons/Search';
import SettingsIcon from '@material-ui/icons/Settings';
import SubjectIcon from '@material-ui/icons/Subject';
import EmojiObjectsIcon from '@material-ui/icons/EmojiObjectsOutlined';
import { SidebarLogo } from './SidebarLogo';

type OrchNavKey =
  | 'dashboard'
  | 'catalog'
  | 'runbooks'
  | 'jobs'
  | 'containers'
  | 'logs'
  | 'incidents'
  | 'ai'
  | 'settings';

/**
 * Orch's pages in the blueprint's order. Each shows only when a page
 * extension provides it: Runbooks and Jobs come with their pages;
 * Containers, Logs and Incidents are the monitoring screens (issue 7); AI is
 * an honest placeholder until its plugin replaces it (the first id found
 * wins).
 */
const ORCH_NAV: Array<{ key: OrchNavKey; ids: string[]; icon: IconComponent }> =
  [
    { key: 'dashboard', ids: ['page:orch/dashboard'], icon: DashboardIcon },
    { key: 'catalog', ids: ['page:catalog'], icon: CategoryIcon },
    {
      key: 'runbooks',
      ids: ['page:orch/runbooks'],
      icon: PlayCircleOutlineIcon,
    },
    { key: 'jobs', ids: ['page:orch/jobs'], icon: ListAltIcon },
    {
      key: 'containers',
      ids: [
        'page:portainer/containers',
        'page:portainer',
        'page:orch/containers',
      ],
      icon: DnsIcon,
    },
    {
      key: 'logs',
      ids: ['page:portainer/logs', 'page:orch/logs'],
      icon: SubjectIcon,
    },
    {
      key: 'incidents',
      ids: ['page:orch/incidents'],
      icon: ReportProblemIcon,
    },
    { key: 'ai', ids: ['page:ai', 'page:orch/ai'], icon: EmojiObjectsIcon },
  ];

/** Pages reached otherwise than from the sidebar, or replaced by Orch's. */
const HIDDEN = [
  'page:search', // the search modal
  'page:notifications', // NotificationsSidebarItem
  'page:user-settings', // Orch's /settings has the preferences
  'page:orch', // superseded by the dashboard
  'page:orch/home', // `/` only redirects to the dashboard
];

/**
 * The path of an installed, enabled page extension. Read from the app tree
 * rather than from the nav items, which leave out pages without an icon.
 */
function usePagePath() {
  const appTreeApi = useApi(appTreeApiRef);
  const { tree } = appTreeApi.getTree();
  return (id: string): string | undefined => {
    const node = tree.nodes.get(id);
    if (!node?.instance || node.spec.disabled) {
      return undefined;
    }
    return node.instance.getData(coreExtensionData.routePath);
  };
}

function OrchSidebar(props: { navItems: NavContentNavItems }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const pagePath = usePagePath();
  const { navItems } = props;
  const orchItems = ORCH_NAV.flatMap(({ key, ids, icon }) => {
    ids.forEach(id => navItems.take(id));
    const href = ids.map(pagePath).find(path => path !== undefined);
    return href ? [{ key, href, icon }] : [];
  });
  const settings = pagePath('page:orch/settings');
  HIDDEN.forEach(id => navItems.take(id));
  // Every other page of Orch (e.g. a job's page) is reached from its list.
  const others = navItems
    .rest()
    .filter(item => !item.node.spec.id.startsWith('page:orch/'))
    .sort((a, b) => a.title.localeCompare(b.title));

  return (
    <Sidebar>
      <SidebarLogo />
      <SidebarGroup
        label={t('shell.nav.search')}
        icon={<SearchIcon />}
        to="/search"
      >
        <SidebarSearchModal />
      </SidebarGroup>
      <SidebarDivider />
      <SidebarGroup label={t('shell.nav.label')} icon={<MenuIcon />}>
        {orchItems.map(item => (
          <SidebarItem
            key={item.key}
            icon={item.icon}
            to={item.href}
            text={t(`shell.nav.${item.key}`)}
          />
        ))}
        {others.length > 0 && <SidebarDivider />}
        <SidebarScrollWrapper>
          {others.map(item => (
            <SidebarItem
              key={item.node.spec.id}
              icon={() => item.icon as JSX.Element}
              to={item.href}
              text={item.title}
            />
          ))}
        </SidebarScrollWrapper>
      </SidebarGroup>
      <SidebarSpace />
      <SidebarDivider />
      <NotificationsSidebarItem
        // A dot on the icon says there is something unread (the count is in
        // the page title): Backstage's badge shows a number outside the
        // item's accessible name, which fails WCAG 2.5.3 (axe
        // label-content-name-mismatch).
        renderItem={({ unreadCount, to, onClick }) => (
          <SidebarItem
            icon={NotificationsIcon}
            to={to}
            onClick={onClick}
            hasNotifications={unreadCount > 0}
            text={t('shell.nav.notifications')}
          />
        )}
      />
      <SidebarDivider />
      <SidebarItem
        icon={SettingsIcon}
        to={settings ?? '/settings'}
        text={t('shell.nav.settings')}
      />
    </Sidebar>
  );
}

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => <OrchSidebar navItems={navItems} />,
  },
});
