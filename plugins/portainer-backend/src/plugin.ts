import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import { portainerPermissions } from '@internal/backstage-plugin-portainer-common';
import {
  DatabaseIncidentStore,
  readIncidentsConfig,
} from '@internal/backstage-plugin-portainer-node';
import { createRouter } from './router';
import { readPortainerConfig } from './service/config';
import { ContainerService } from './service/ContainerService';
import { EndpointRegistry } from './service/EndpointRegistry';
import { EndpointService } from './service/EndpointService';
import { IncidentMonitor } from './service/IncidentMonitor';
import { incidentNotification } from './service/incidentNotification';
import { IncidentService } from './service/IncidentService';
import { LogService } from './service/LogService';
import { OrchConnections } from './service/OrchConnections';

/**
 * The `portainer` backend plugin: Docker endpoints (the local socket and
 * Portainer connections), their containers, logs, stacks and services; and
 * the incidents opened from the Docker events of the watched engines.
 * @public
 */
export const portainerPlugin = createBackendPlugin({
  pluginId: 'portainer',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        notifications: notificationService,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { logger } = deps;
        const config = readPortainerConfig(deps.config);
        const connections = new OrchConnections({
          discovery: deps.discovery,
          auth: deps.auth,
          logger,
          cacheSeconds: config.connections.cacheSeconds,
          timeoutMs: config.timeouts.requestMs,
        });
        const registry = new EndpointRegistry({ config, connections });
        deps.lifecycle.addShutdownHook(() => registry.close());

        const incidentsConfig = readIncidentsConfig(deps.config);
        const store = await DatabaseIncidentStore.create({
          database: deps.database,
        });
        let monitor: IncidentMonitor | undefined;
        if (incidentsConfig.enabled) {
          const watcher = new IncidentMonitor({
            store,
            config: incidentsConfig,
            logger,
            // Watched while the socket exists (checked at each refresh).
            localSocketPath: config.local.enabled
              ? config.local.socketPath
              : undefined,
            dockerConnections: () => connections.dockerConnections(),
            onOpened: incident =>
              deps.notifications.send(incidentNotification(incident)),
            timeoutMs: config.timeouts.requestMs,
          });
          monitor = watcher;
          // After startup: the orch plugin must answer for the connections.
          deps.lifecycle.addStartupHook(() => watcher.start());
          deps.lifecycle.addShutdownHook(() => watcher.stop());
          await deps.scheduler.scheduleTask({
            id: 'portainer-incidents-housekeeping',
            frequency: { milliseconds: incidentsConfig.housekeepingIntervalMs },
            timeout: { minutes: 5 },
            initialDelay: {
              milliseconds: Math.min(incidentsConfig.housekeepingIntervalMs, 10_000),
            },
            scope: 'local',
            fn: async () => {
              await watcher.refreshConnections();
              await watcher.housekeeping();
            },
          });
        }

        deps.permissionsRegistry.addPermissions(portainerPermissions);
        deps.httpRouter.use(
          await createRouter({
            auditor: deps.auditor,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            services: {
              config,
              endpoints: new EndpointService({ registry, config }),
              containers: new ContainerService({ registry, config, logger }),
              logs: new LogService({ registry, config }),
              incidents: new IncidentService({ store, engine: monitor?.engine }),
              monitor,
            },
          }),
        );
      },
    });
  },
});
