import {
  createPermission,
  type BasicPermission,
} from '@backstage/plugin-permission-common';

/**
 * Read the runbook catalog: list runbooks and see their input schemas.
 * @public
 */
export const runbookReadPermission = createPermission({
  name: 'orch.runbook.read',
  attributes: { action: 'read' },
});

/**
 * Launch a runbook: creates a Job that a worker runs.
 * @public
 */
export const runbookExecutePermission = createPermission({
  name: 'orch.runbook.execute',
  attributes: {},
});

/**
 * Enable or disable a runbook.
 * @public
 */
export const runbookManagePermission = createPermission({
  name: 'orch.runbook.manage',
  attributes: { action: 'update' },
});

/**
 * Read jobs, their steps, events, live logs and artifacts.
 * @public
 */
export const jobReadPermission = createPermission({
  name: 'orch.job.read',
  attributes: { action: 'read' },
});

/**
 * Cancel a pending or running job.
 * @public
 */
export const jobCancelPermission = createPermission({
  name: 'orch.job.cancel',
  attributes: { action: 'update' },
});

/**
 * Relaunch a finished job with the same inputs.
 * @public
 */
export const jobRelaunchPermission = createPermission({
  name: 'orch.job.relaunch',
  attributes: {},
});

/**
 * Every permission the orch plugin declares, for registration with the
 * permissions registry and for policy tests.
 * @public
 */
export const orchPermissions: BasicPermission[] = [
  runbookReadPermission,
  runbookExecutePermission,
  runbookManagePermission,
  jobReadPermission,
  jobCancelPermission,
  jobRelaunchPermission,
];
