import type { Config } from '@backstage/config';

/**
 * Where Orch's Redis lives and how its keys are named.
 * @public
 */
export type OrchRedisOptions = {
  url: string;
  /** @defaultValue 'orch' */
  prefix: string;
};

/** @public */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Reads `orch.redis` from config, falling back to the `ORCH_REDIS_URL`
 * environment variable and then to a local Redis on the default port.
 * @public
 */
export function readOrchRedisOptions(config: Config): OrchRedisOptions {
  return {
    url:
      config.getOptionalString('orch.redis.url') ??
      process.env.ORCH_REDIS_URL ??
      DEFAULT_REDIS_URL,
    prefix: config.getOptionalString('orch.redis.prefix') ?? 'orch',
  };
}

/**
 * How long a worker's heartbeat keeps it alive, in milliseconds.
 * @public
 */
export function readWorkerHeartbeatTtlMs(config: Config): number {
  return (
    (config.getOptionalNumber('orch.worker.heartbeatTtlSeconds') ?? 15) * 1000
  );
}
