import { SidebarPage } from '@backstage/core-components';
import {
  coreExtensionData,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import appPlugin from '@backstage/plugin-app';
import {
  OrchMainContent,
  OrchTopBar,
  SkipLink,
} from '@internal/backstage-plugin-orch';

/**
 * The app's frame: a skip link first, Backstage's sidebar on the left; on the right Orch's top
 * bar (environment, user menu) above the page. Replaces `app/layout`, which
 * puts the page straight beside the sidebar.
 */
const orchLayout = appPlugin.getExtension('app/layout').override({
  factory: (_originalFactory, { inputs }) => [
    coreExtensionData.reactElement(
      <SidebarPage>
        <SkipLink />
        {inputs.nav.get(coreExtensionData.reactElement)}
        <div
          style={{
            display: 'flex',
            flexDirection: 'column',
            minWidth: 0,
            minHeight: '100vh',
            flexGrow: 1,
          }}
        >
          <OrchTopBar />
          <OrchMainContent>
            {inputs.content.get(coreExtensionData.reactElement)}
          </OrchMainContent>
        </div>
      </SidebarPage>,
    ),
  ],
});

export const shellModule = createFrontendModule({
  pluginId: 'app',
  extensions: [orchLayout],
});
