import { tmpdir } from 'os';
import { resolve } from 'path';
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

/**
 * Filesystem locations shared by the backend and the worker. Relative paths
 * resolve from the working directory (the repository root under
 * script/server).
 * @public
 */
export type OrchPaths = {
  runbooksDir: string;
  /** Local projects: `<manifestsDir>/<project>/orch.yaml`. */
  manifestsDir: string;
  stacksDir: string;
  artifactsDir: string;
  dataDir: string;
};

/** @public */
export function readOrchPaths(config: Config): OrchPaths {
  const runbooksDir = resolve(config.getOptionalString('orch.runbooks.dir') ?? 'runbooks');
  return {
    runbooksDir,
    manifestsDir: resolve(
      config.getOptionalString('orch.manifests.dir') ?? `${runbooksDir}/manifests`,
    ),
    stacksDir: resolve(config.getOptionalString('orch.stacks.dir') ?? 'stacks'),
    artifactsDir: resolve(
      config.getOptionalString('orch.artifacts.dir') ?? '.orch/artifacts',
    ),
    dataDir: resolve(
      config.getOptionalString('orch.worker.dataDir') ?? `${tmpdir()}/orch-jobs`,
    ),
  };
}
