import { DatabaseManager } from '@backstage/backend-defaults/database';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { ConfigSources } from '@backstage/config-loader';
import {
  DatabaseJobStore,
  RunbookCatalog,
  SecretBox,
  readOrchPaths,
} from '@internal/backstage-plugin-orch-node';
import { OrchWorker } from './OrchWorker';

// The worker reads the same app-config files (and APP_CONFIG_* variables) as
// the backend: `--config` arguments, else app-config.yaml and
// app-config.local.yaml at the repository root (found from the working
// directory). It uses the orch plugin's database, like the backend.
async function main() {
  const logger = WinstonLogger.create({
    meta: { service: 'orch-worker' },
    level: process.env.LOG_LEVEL ?? 'info',
    format:
      process.env.NODE_ENV === 'production'
        ? undefined
        : WinstonLogger.colorFormat(),
  });
  const config = await ConfigSources.toConfig(ConfigSources.default({}));
  const shutdownHooks: Array<() => void | Promise<void>> = [];
  const database = DatabaseManager.fromConfig(config).forPlugin('orch', {
    logger,
    lifecycle: {
      addStartupHook: () => {},
      addShutdownHook: (hook: () => void | Promise<void>) => {
        shutdownHooks.push(hook);
      },
    } as any,
  });
  const store = await DatabaseJobStore.create({ database });
  const paths = readOrchPaths(config);
  const catalog = await RunbookCatalog.load({ rootDir: paths.runbooksDir, logger });
  const worker = new OrchWorker({
    config,
    logger,
    store,
    runbooks: name => catalog.get(name),
    secretBox: SecretBox.fromConfig(config),
    paths,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, finishing running jobs`);
    worker
      .close()
      .then(async () => {
        for (const hook of shutdownHooks) await hook();
        config.close();
        process.exit(0);
      })
      .catch(e => {
        logger.error(`shutdown failed: ${e}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await worker.start();
  // Tells a parent process (script/server, tests) the worker is ready.
  logger.info('orch worker ready');
}

main().catch(e => {
  // eslint-disable-next-line no-console
  console.error(e);
  process.exit(1);
});
