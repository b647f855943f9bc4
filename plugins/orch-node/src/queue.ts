/**
 * Name of the BullMQ queue that carries Orch jobs. The BullMQ job id is
 * always the Orch job id, so enqueueing twice is a no-op.
 * @public
 */
export const ORCH_JOBS_QUEUE = 'orch-jobs';

/**
 * Name of the BullMQ queue that carries project installs (parent jobs).
 * Parents spend their life waiting for their children, so they have a queue
 * (and worker slots) of their own: a parent never holds the slot its child
 * needs to run.
 * @public
 */
export const ORCH_PROJECTS_QUEUE = 'orch-projects';
