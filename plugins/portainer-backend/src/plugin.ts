import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { portainerPermissions } from '@internal/backstage-plugin-portainer-common';
import { createRouter } from './router';
import { readPortainerConfig } from './service/config';
import { ContainerService } from './service/ContainerService';
import { EndpointRegistry } from './service/EndpointRegistry';
import { EndpointService } from './service/EndpointService';
import { LogService } from './service/LogService';
import { OrchConnections } from './service/OrchConnections';

/**
 * The `portainer` backend plugin: Docker endpoints (the local socket and
 * Portainer connections), their containers, logs, stacks and services.
 * @public
 */
export const portainerPlugin = createBackendPlugin({
  pluginId: 'portainer',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init(deps) {
        const { logger } = deps;
        const config = readPortainerConfig(deps.config);
        const registry = new EndpointRegistry({
          config,
          connections: new OrchConnections({
            discovery: deps.discovery,
            auth: deps.auth,
            logger,
            cacheSeconds: config.connections.cacheSeconds,
            timeoutMs: config.timeouts.requestMs,
          }),
        });
        deps.lifecycle.addShutdownHook(() => registry.close());

        deps.permissionsRegistry.addPermissions(portainerPermissions);
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            services: {
              config,
              endpoints: new EndpointService({ registry, config }),
              containers: new ContainerService({ registry, config, logger }),
              logs: new LogService({ registry, config }),
            },
          }),
        );
      },
    });
  },
});
