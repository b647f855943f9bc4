import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { orchPermissions } from '@internal/backstage-plugin-orch-common';
import {
  WorkerRegistry,
  createRedisConnection,
  readOrchRedisOptions,
  readWorkerHeartbeatTtlMs,
} from '@internal/backstage-plugin-orch-node';
import { createRouter } from './router';
import { HealthService } from './service/HealthService';

/**
 * The `orch` backend plugin: runbooks, jobs, live logs and health.
 * @public
 */
export const orchPlugin = createBackendPlugin({
  pluginId: 'orch',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ config, database, httpRouter, lifecycle, permissionsRegistry }) {
        const redisOptions = readOrchRedisOptions(config);
        const redis = createRedisConnection(redisOptions.url, 'command');
        lifecycle.addShutdownHook(() => {
          redis.disconnect();
        });

        const health = new HealthService({
          database,
          redis,
          workers: new WorkerRegistry(redis, redisOptions.prefix),
          workerTtlMs: readWorkerHeartbeatTtlMs(config),
        });

        permissionsRegistry.addPermissions(orchPermissions);
        httpRouter.use(await createRouter({ health }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
