import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { orchPermissions } from '@internal/backstage-plugin-orch-common';
import {
  CancelSignals,
  DatabaseAuditLog,
  DatabaseConnectionStore,
  DatabaseJobStore,
  JobEventStream,
  JobQueue,
  RunbookCatalog,
  SecretBox,
  WorkerRegistry,
  createRedisConnection,
  readOrchPaths,
  readOrchRedisOptions,
  readWorkerHeartbeatTtlMs,
} from '@internal/backstage-plugin-orch-node';
import { createRouter } from './router';
import { AuditService } from './service/AuditService';
import { ConnectionService } from './service/ConnectionService';
import { HealthService } from './service/HealthService';
import { JobService } from './service/JobService';
import { LogStreamService } from './service/LogStreamService';
import { Reconciler } from './service/Reconciler';

/**
 * The `orch` backend plugin: runbooks, jobs, live logs and health.
 * @public
 */
export const orchPlugin = createBackendPlugin({
  pluginId: 'orch',
  register(env) {
    env.registerInit({
      deps: {
        auditor: coreServices.auditor,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { config, database, httpRouter, lifecycle, logger, scheduler } = deps;
        const redisOptions = readOrchRedisOptions(config);
        const paths = readOrchPaths(config);
        const redis = createRedisConnection(redisOptions.url, 'command');
        const queueConnection = createRedisConnection(redisOptions.url, 'blocking');

        // The job store runs every migration of orch-node; the other stores
        // share its tables' database.
        const store = await DatabaseJobStore.create({ database });
        const knex = await database.getClient();
        const connectionStore = await DatabaseConnectionStore.fromKnex(knex);
        const secretBox = SecretBox.fromConfig(config);
        const catalog = await RunbookCatalog.load({ rootDir: paths.runbooksDir, logger });
        await store.syncRunbooks(catalog.list());

        const queue = new JobQueue({ connection: queueConnection, prefix: redisOptions.prefix });
        const stream = new JobEventStream({ redis, prefix: redisOptions.prefix });
        const jobs = new JobService({
          store,
          connections: connectionStore,
          catalog,
          queue,
          stream,
          cancels: new CancelSignals(redisOptions.prefix),
          redis,
          secretBox,
          logger,
        });
        const workerTtlMs = readWorkerHeartbeatTtlMs(config);
        const reconciler = new Reconciler({
          store,
          queue,
          jobs,
          logger,
          staleAfterMs: workerTtlMs,
        });
        await scheduler.scheduleTask({
          id: 'orch-reconcile-jobs',
          frequency: { seconds: 10 },
          timeout: { seconds: 60 },
          initialDelay: { seconds: 1 },
          scope: 'global',
          fn: async () => {
            const r = await reconciler.run();
            if (r.requeued || r.lost || r.retried) {
              logger.info(`reconciled jobs: ${JSON.stringify(r)}`);
            }
          },
        });

        lifecycle.addShutdownHook(async () => {
          await queue.close().catch(() => {});
          queueConnection.disconnect();
          redis.disconnect();
        });

        deps.permissionsRegistry.addPermissions(orchPermissions);
        httpRouter.use(
          await createRouter({
            health: new HealthService({
              database,
              redis,
              workers: new WorkerRegistry(redis, redisOptions.prefix),
              workerTtlMs,
            }),
            jobs,
            connections: new ConnectionService({ store: connectionStore, secretBox }),
            audit: new AuditService({
              store: await DatabaseAuditLog.fromKnex(knex),
              logger,
              auditor: deps.auditor,
            }),
            logs: new LogStreamService({ store, stream, redis }),
            store,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            artifactsDir: paths.artifactsDir,
            maxBodySize: config.getOptionalString('orch.api.maxBodySize') ?? '256kb',
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
