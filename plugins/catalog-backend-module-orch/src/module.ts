import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { OrchUserEntityProvider } from './providers/OrchUserEntityProvider';

/**
 * Catalog module that feeds the catalog from the orch plugin.
 * @public
 */
export const catalogModuleOrch = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'orch',
  register(reg) {
    reg.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        processing: catalogProcessingExtensionPoint,
      },
      async init({ auth, config, discovery, logger, scheduler, processing }) {
        processing.addEntityProvider(
          OrchUserEntityProvider.fromConfig(config, {
            auth,
            discovery,
            logger,
            scheduler,
          }),
        );
      },
    });
  },
});
