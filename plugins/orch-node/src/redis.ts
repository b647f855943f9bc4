import { Redis, type RedisOptions } from 'ioredis';

/**
 * What a Redis connection is for; it decides how it behaves while Redis is
 * away.
 *
 * - `blocking`: BullMQ workers and stream tailers. Commands wait for the
 *   connection to come back (BullMQ requires `maxRetriesPerRequest: null`).
 * - `command`: request-scoped work such as health checks and enqueueing.
 *   A command waits for at most one reconnect attempt and `commandTimeout`,
 *   then fails, so an HTTP request never hangs on a dead Redis.
 * @public
 */
export type RedisConnectionKind = 'blocking' | 'command';

/**
 * Opens a Redis connection that reconnects forever with a capped backoff, so
 * a restarted Redis is picked up without restarting the process.
 * @public
 */
export function createRedisConnection(
  url: string,
  kind: RedisConnectionKind,
  extra: RedisOptions = {},
): Redis {
  const options: RedisOptions = {
    connectTimeout: 2000,
    retryStrategy: times => Math.min(times * 100, 2000),
    ...(kind === 'blocking'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, commandTimeout: 2000 }),
    ...extra,
  };
  const redis = new Redis(url, options);
  // ioredis emits 'error' on every failed reconnect; without a listener Node
  // would treat it as unhandled and crash the process.
  redis.on('error', () => {});
  return redis;
}
