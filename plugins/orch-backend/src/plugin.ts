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
  DatabaseSessionStore,
  DatabaseUserStore,
  JobEventStream,
  JobQueue,
  RunbookCatalog,
  RunbookJobFactory,
  SecretBox,
  WorkerRegistry,
  createRedisConnection,
  readOrchGitHubConfig,
  readOrchPaths,
  readOrchRedisOptions,
  readWorkerHeartbeatTtlMs,
} from '@internal/backstage-plugin-orch-node';
import { createRouter } from './router';
import { AuditService } from './service/AuditService';
import { AuthService } from './service/auth/AuthService';
import { BackstageTokens } from './service/auth/BackstageTokens';
import { readOrchAuthConfig } from './service/auth/config';
import { LoginThrottle } from './service/auth/LoginThrottle';
import { PrincipalService } from './service/auth/PrincipalService';
import { RunbookAccess } from './service/auth/RunbookAccess';
import { firstAdminFromEnv, UserService } from './service/auth/UserService';
import { ConnectionService } from './service/ConnectionService';
import { HealthService } from './service/HealthService';
import { JobService } from './service/JobService';
import { ProjectService } from './service/ProjectService';
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
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        userInfo: coreServices.userInfo,
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

        const users = await DatabaseUserStore.fromKnex(knex);
        const principals = PrincipalService.fromConfig(config, users);
        const queue = new JobQueue({ connection: queueConnection, prefix: redisOptions.prefix });
        const stream = new JobEventStream({ redis, prefix: redisOptions.prefix });
        const factory = new RunbookJobFactory({
          store,
          connections: connectionStore,
          catalog,
          queue,
          secretBox,
          logger,
          defaultEnvironment: config.getOptionalString('orch.environments.default'),
        });
        const access = new RunbookAccess(principals, deps.userInfo);
        const connections = new ConnectionService({ store: connectionStore, secretBox });
        const projects = new ProjectService({
          store,
          catalog,
          factory,
          secretBox,
          manifestsDir: paths.manifestsDir,
          logger,
          access,
          // Installs from GitHub: the catalog's allowlist, and the token of
          // its `github` connection decrypted here (never over HTTP).
          github: readOrchGitHubConfig(config),
          connections,
        });
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
          access,
          factory,
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

        const audit = new AuditService({
          store: await DatabaseAuditLog.fromKnex(knex),
          logger,
          auditor: deps.auditor,
        });
        const authConfig = readOrchAuthConfig(config);
        const sessions = await DatabaseSessionStore.fromKnex(knex);
        const tokens = new BackstageTokens({
          redis,
          prefix: redisOptions.prefix,
          discovery: deps.discovery,
        });
        const userAdmin = new UserService({ users, sessions, logger });
        // The console, not the logger: a generated one-time password must
        // not reach log storage.
        await userAdmin.bootstrapFirstAdmin(firstAdminFromEnv(), text =>
          process.stdout.write(text),
        );
        await scheduler.scheduleTask({
          id: 'orch-prune-auth-sessions',
          frequency: { hours: 1 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
          scope: 'global',
          fn: async () => {
            await sessions.prune(new Date(Date.now() - 86400_000));
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
            projects,
            connections,
            audit,
            auth: new AuthService({
              users,
              sessions,
              tokens,
              throttle: new LoginThrottle(
                redis,
                redisOptions.prefix,
                authConfig.throttle,
              ),
              audit,
              logger,
              sessionTtlMs: authConfig.sessionTtlMs,
              rememberTtlMs: authConfig.rememberTtlMs,
            }),
            principals,
            tokens,
            users,
            userAdmin,
            userInfo: deps.userInfo,
            trustProxyHops: authConfig.trustProxyHops,
            logs: new LogStreamService({ store, stream, redis }),
            store,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            artifactsDir: paths.artifactsDir,
            maxBodySize: config.getOptionalString('orch.api.maxBodySize') ?? '256kb',
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        for (const path of ['/v1/auth/login', '/v1/auth/refresh', '/v1/auth/logout']) {
          httpRouter.addAuthPolicy({ path, allow: 'unauthenticated' });
        }
      },
    });
  },
});
