export interface Config {
  orch?: {
    redis?: {
      /**
       * Redis connection URL for the job queue and live event streams,
       * e.g. `redis://127.0.0.1:6379` or `rediss://user:pass@host:6380/0`.
       * script/server and script/test set it through `ORCH_REDIS_URL`.
       * @visibility backend
       */
      url?: string;
      /**
       * Prefix of every key Orch writes, so several Orch installations (or
       * parallel test runs) can share one Redis.
       * @defaultValue orch
       */
      prefix?: string;
    };
    worker?: {
      /**
       * A worker counts as alive while its last heartbeat is younger than this.
       * @defaultValue 15
       */
      heartbeatTtlSeconds?: number;
    };
  };
}
