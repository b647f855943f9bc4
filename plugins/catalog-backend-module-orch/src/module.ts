import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { OrchProjectManifestProcessor } from './processors/OrchProjectManifestProcessor';
import { OrchProjectEntityProvider } from './providers/OrchProjectEntityProvider';
import { OrchUserEntityProvider } from './providers/OrchUserEntityProvider';

/**
 * Catalog module that feeds the catalog from Orch: its users, its projects
 * (orch.yaml, local and from allowed GitHub repositories) with their install
 * templates, and its runbooks.
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
        catalog: catalogServiceRef,
      },
      async init({
        auth,
        config,
        discovery,
        logger,
        scheduler,
        processing,
        catalog,
      }) {
        processing.addEntityProvider(
          OrchUserEntityProvider.fromConfig(config, {
            auth,
            discovery,
            logger,
            scheduler,
          }),
        );
        processing.addEntityProvider(
          OrchProjectEntityProvider.fromConfig(config, {
            auth,
            discovery,
            logger,
            scheduler,
          }),
        );
        processing.addProcessor(
          new OrchProjectManifestProcessor({ logger, catalog, auth }),
        );
      },
    });
  },
});
