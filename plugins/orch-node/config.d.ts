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
    environments?: {
      /**
       * The environment of a runbook execute that names none, when the
       * runbook allows more than one (a runbook with a single environment
       * uses that one). Must not be `prod`: a production run is never a
       * silent default, so `prod` here makes such requests answer 400.
       * @defaultValue none (the request must name its environment)
       */
      default?: string;
    };
    runbooks?: {
      /**
       * The runbooks root: playbooks/ with their descriptors, inventory/, roles/.
       * @defaultValue runbooks
       */
      dir?: string;
    };
    manifests?: {
      /**
       * Folder of local projects: `<dir>/<project>/orch.yaml`.
       * @defaultValue <runbooks.dir>/manifests
       */
      dir?: string;
    };
    stacks?: {
      /**
       * Folder of Swarm stack files that `swarm_deploy` may deploy by name.
       * @defaultValue stacks
       */
      dir?: string;
    };
    artifacts?: {
      /**
       * Root of job artifacts (`<dir>/<jobId>/output.json`, …). A shared
       * volume when several workers and backends run.
       * @defaultValue .orch/artifacts
       */
      dir?: string;
    };
    secrets?: {
      /**
       * File holding the 32-byte master key (64 hex characters), e.g. the
       * Swarm secret /run/secrets/orch_master_key. Also ORCH_MASTER_KEY_FILE.
       * The embedded default generates .orch/master.key.
       * @visibility backend
       */
      keyFile?: string;
    };
    api?: {
      /**
       * Largest JSON request body accepted; larger ones get 413.
       * @defaultValue 256kb
       */
      maxBodySize?: string;
    };
    worker?: {
      /**
       * Jobs one worker process runs at once.
       * @defaultValue 2
       */
      concurrency?: number;
      /**
       * Project installs one worker process follows at once. They only wait
       * for their child jobs, on a queue of their own, so they never take
       * one of the `concurrency` slots their children need.
       * @defaultValue 10
       */
      projectConcurrency?: number;
      /**
       * Parent folder of the private (0700) per-job data directories.
       * @defaultValue <tmpdir>/orch-jobs
       */
      dataDir?: string;
      /**
       * On SIGTERM, how long running jobs may finish before they are handed
       * back to the queue.
       * @defaultValue 20
       */
      shutdownGraceSeconds?: number;
      /**
       * A worker counts as alive while its last heartbeat is younger than this.
       * @defaultValue 15
       */
      heartbeatTtlSeconds?: number;
    };
  };
}
