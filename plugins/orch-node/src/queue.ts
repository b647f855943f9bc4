/**
 * Name of the BullMQ queue that carries Orch jobs. The BullMQ job id is
 * always the Orch job id, so enqueueing twice is a no-op.
 * @public
 */
export const ORCH_JOBS_QUEUE = 'orch-jobs';
