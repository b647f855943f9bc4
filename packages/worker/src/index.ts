import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { ConfigSources } from '@backstage/config-loader';
import { OrchWorker } from './OrchWorker';

// The worker reads the same app-config files (and APP_CONFIG_* variables) as
// the backend: `--config` arguments, else app-config.yaml and
// app-config.local.yaml at the repository root.
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
  const worker = new OrchWorker({ config, logger });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, finishing running jobs`);
    worker.close().then(
      () => {
        config.close();
        process.exit(0);
      },
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
