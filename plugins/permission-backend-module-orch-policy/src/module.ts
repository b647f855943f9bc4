import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { OrchPermissionPolicy } from './OrchPermissionPolicy';
import { OrchPrincipalClient } from './OrchPrincipalClient';

/**
 * Sets Orch's role-based policy as the permission backend's policy.
 * @public
 */
export const permissionModuleOrchPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'orch-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, auth, config, discovery, logger, userInfo }) {
        const principals = new OrchPrincipalClient({
          auth,
          discovery,
          cacheSeconds: config.getOptionalNumber('orch.rbac.cacheSeconds') ?? 5,
        });
        policy.setPolicy(
          new OrchPermissionPolicy({ auth, userInfo, logger, principals }),
        );
      },
    });
  },
});
