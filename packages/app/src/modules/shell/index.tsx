import { SidebarPage } from '@backstage/core-components';
import {
  coreExtensionData,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import appPlugin from '@backstage/plugin-app';
import {
  OrchTopBar,
  ORCH_MAIN_CONTENT_ID,
} from '@internal/backstage-plugin-orch';

/**
 * The app's frame: Backstage's sidebar on the left; on the right Orch's top
 * bar (environment, user menu) above the page. Replaces `app/layout`, which
 * puts the page straight beside the sidebar.
 */
const orchLayout = appPlugin.getExtension('app/layout').override({
  factory: (_originalFactory, { inputs }) => [
    coreExtensionData.reactElement(
      <SidebarPage>
        {inputs.nav.get(coreExtensionData.reactElement)}
        <div
          style={{
            display: 'flex',
            flexDirection: 'column',
            minWidth: 0,
            flexGrow: 1,
          }}
        >
          <OrchTopBar />
          <main
            id={ORCH_MAIN_CONTENT_ID}
            tabIndex={-1}
            style={{ flexGrow: 1, outline: 'none' }}
          >
            {inputs.content.get(coreExtensionData.reactElement)}
          </main>
        </div>
      </SidebarPage>,
    ),
  ],
});

export const shellModule = createFrontendModule({
  pluginId: 'app',
  extensions: [orchLayout],
});
