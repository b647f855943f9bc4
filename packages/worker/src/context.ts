import { DatabaseManager } from '@backstage/backend-defaults/database';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import { ConfigSources } from '@backstage/config-loader';
import { DatabaseJobStore, SecretBox } from '@internal/backstage-plugin-orch-node';

/**
 * What the worker and the admin CLI both stand on: the same configuration
 * as the backend (`--config` arguments, else app-config.yaml and
 * app-config.local.yaml from the working directory, plus APP_CONFIG_*), the
 * orch plugin's database with its migrations run, and the master key.
 */
export async function createOrchContext(service: string) {
  const logger = WinstonLogger.create({
    meta: { service },
    level: process.env.LOG_LEVEL ?? 'info',
    format: process.env.NODE_ENV === 'production' ? undefined : WinstonLogger.colorFormat(),
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
  const knex = await database.getClient();
  return {
    logger,
    config,
    database,
    knex,
    store,
    secretBox: SecretBox.fromConfig(config),
    async close() {
      for (const hook of shutdownHooks) await hook();
      await knex.destroy().catch(() => {});
      config.close();
    },
  };
}
