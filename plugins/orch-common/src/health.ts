/**
 * Names of the checks `GET /api/orch/health` runs.
 * @public
 */
export type HealthCheckName = 'database' | 'redis' | 'worker';

/**
 * Outcome of one health check. `error` says why a check failed; it never
 * carries a connection string or a credential.
 * @public
 */
export type HealthCheckResult = {
  status: 'ok' | 'error';
  /** How long the check took, in milliseconds. */
  latencyMs: number;
  error?: string;
  /** Extra facts, e.g. the number of live workers. */
  details?: Record<string, unknown>;
};

/**
 * Body of `GET /api/orch/health`: `status` is `ok` only when every check is.
 * The route answers 200 when `ok`, 503 otherwise.
 * @public
 */
export type HealthReport = {
  status: 'ok' | 'error';
  checks: Record<HealthCheckName, HealthCheckResult>;
};
