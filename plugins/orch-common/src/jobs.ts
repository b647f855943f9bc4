/**
 * Every state a Job can be in. A job only moves forward:
 * `PENDING → RUNNING → SUCCESS | ERROR | CANCELED` (or straight from
 * `PENDING` to `CANCELED`).
 * @public
 */
export const JOB_STATUSES = [
  'PENDING',
  'RUNNING',
  'SUCCESS',
  'ERROR',
  'CANCELED',
] as const;

/** @public */
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Statuses after which nothing changes any more.
 * @public
 */
export const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'SUCCESS',
  'ERROR',
  'CANCELED',
]);

/**
 * Whether a job in this status has ended.
 * @public
 */
export function isFinalJobStatus(status: JobStatus): boolean {
  return FINAL_JOB_STATUSES.has(status);
}
