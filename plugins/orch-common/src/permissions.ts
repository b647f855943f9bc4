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
 * Read connections (their non-secret fields and masked secrets).
 * @public
 */
export const connectionReadPermission = createPermission({
  name: 'orch.connection.read',
  attributes: { action: 'read' },
});

/**
 * Create a connection.
 * @public
 */
export const connectionCreatePermission = createPermission({
  name: 'orch.connection.create',
  attributes: { action: 'create' },
});

/**
 * Update a connection, its secrets included.
 * @public
 */
export const connectionUpdatePermission = createPermission({
  name: 'orch.connection.update',
  attributes: { action: 'update' },
});

/**
 * Delete a connection.
 * @public
 */
export const connectionDeletePermission = createPermission({
  name: 'orch.connection.delete',
  attributes: { action: 'delete' },
});

/**
 * Read the audit log of critical actions.
 * @public
 */
export const auditReadPermission = createPermission({
  name: 'orch.audit.read',
  attributes: { action: 'read' },
});

/**
 * List users with their roles and status.
 * @public
 */
export const userReadPermission = createPermission({
  name: 'orch.user.read',
  attributes: { action: 'read' },
});

/**
 * Create users, change their roles, status and display name, reset passwords.
 * @public
 */
export const userManagePermission = createPermission({
  name: 'orch.user.manage',
  attributes: { action: 'update' },
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
  connectionReadPermission,
  connectionCreatePermission,
  connectionUpdatePermission,
  connectionDeletePermission,
  auditReadPermission,
  userReadPermission,
  userManagePermission,
];
