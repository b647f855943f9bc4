import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { OrchClient } from './actions/OrchClient';
import { createOrchProjectInstallAction } from './actions/projectInstall';
import { createOrchRunbookExecuteAction } from './actions/runbookExecute';

/**
 * Adds `orch:runbook:execute` and `orch:project:install` to the scaffolder.
 * @public
 */
export const scaffolderModuleOrch = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'orch',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        const client = new OrchClient({ discovery, auth });
        scaffolder.addActions(
          createOrchRunbookExecuteAction({ client }),
          createOrchProjectInstallAction({ client }),
        );
      },
    });
  },
});
