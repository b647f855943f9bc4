import {
  ConnectionVault,
  DatabaseConnectionStore,
  RunbookCatalog,
  readOrchPaths,
} from '@internal/backstage-plugin-orch-node';
import { createOrchContext } from './context';
import { OrchWorker } from './OrchWorker';

async function main() {
  const context = await createOrchContext('orch-worker');
  const { logger, config, knex, store, secretBox } = context;
  const paths = readOrchPaths(config);
  const catalog = await RunbookCatalog.load({ rootDir: paths.runbooksDir, logger });
  const connectionStore = await DatabaseConnectionStore.fromKnex(knex);
  const worker = new OrchWorker({
    config,
    logger,
    store,
    runbooks: name => catalog.get(name),
    connections: new ConnectionVault({ store: connectionStore, secretBox }),
    secretBox,
    paths,
    projects: { catalog, connectionStore },
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, finishing running jobs`);
    worker
      .close()
      .then(() => context.close())
      .then(
        () => process.exit(0),
        e => {
          logger.error(`shutdown failed: ${e}`);
          process.exit(1);
        },
      );
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
