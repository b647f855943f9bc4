export interface Config {
  portainer?: {
    local?: {
      /**
       * Whether the Docker socket of the machine Orch runs on is offered as
       * the endpoint `local` (when the socket exists).
       * @defaultValue true
       */
      enabled?: boolean;
      /**
       * Path of the Docker socket behind the `local` endpoint. Its presence
       * is checked at each call, and by each incidents housekeeping pass:
       * the local incident watcher starts once the socket appears (Docker
       * started after Orch) and stops, with a warning, when it goes away.
       * @defaultValue /var/run/docker.sock
       */
      socketPath?: string;
    };
    timeouts?: {
      /**
       * Longest wait, in milliseconds, for one answer of an endpoint
       * (Docker socket or Portainer): past it the request fails with a 503
       * naming the endpoint, or serves the cached inventory marked stale.
       * @defaultValue 5000
       */
      requestMs?: number;
      /**
       * Longest wait, in milliseconds, for the status probe of one endpoint
       * in `GET /v1/endpoints` (all endpoints are probed in parallel).
       * @defaultValue 2000
       */
      probeMs?: number;
    };
    inventory?: {
      /**
       * Container listings of at most this many containers (after filters)
       * are detailed: each container is inspected for its restart count,
       * exit code and start time. Larger ones list what Docker's container
       * list gives.
       * @defaultValue 100
       */
      inspectLimit?: number;
      /**
       * How long, in seconds, the last listing of an endpoint may still be
       * served (marked stale) while the endpoint cannot be reached.
       * @defaultValue 86400
       */
      maxStaleSeconds?: number;
    };
    connections?: {
      /**
       * How long, in seconds, the list of Portainer connections and their
       * credentials (read from the orch plugin) are kept in memory.
       * @defaultValue 30
       */
      cacheSeconds?: number;
    };
    logs?: {
      /**
       * Lines returned when `tail` is not given.
       * @defaultValue 500
       */
      defaultTail?: number;
      /**
       * Largest `tail` accepted.
       * @defaultValue 10000
       */
      maxTail?: number;
      /**
       * Largest log snapshot read from an endpoint, in bytes; the answer is
       * cut there and marked `truncated`.
       * @defaultValue 16777216
       */
      maxBytes?: number;
    };
  };
}
