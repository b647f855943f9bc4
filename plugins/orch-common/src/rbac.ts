import type { Permission } from '@backstage/plugin-permission-common';
import {
  auditReadPermission,
  connectionCreatePermission,
  connectionDeletePermission,
  connectionReadPermission,
  connectionUpdatePermission,
  jobCancelPermission,
  jobReadPermission,
  jobRelaunchPermission,
  orchPermissions,
  runbookExecutePermission,
  runbookManagePermission,
  runbookReadPermission,
  userManagePermission,
  userReadPermission,
} from './permissions';

/**
 * Orch's roles. A user holds any number of them; what each allows is decided
 * by the permission policy module from the matrix below.
 * @public
 */
export const ORCH_ROLES = ['admin', 'operator', 'viewer'] as const;

/** @public */
export type OrchRole = (typeof ORCH_ROLES)[number];

/** @public */
export function isOrchRole(value: unknown): value is OrchRole {
  return (ORCH_ROLES as readonly unknown[]).includes(value);
}

/**
 * The orch permissions each role grants. A user's grants are the union over
 * the roles they hold. An `orch.*` permission missing here (a future one
 * included) is granted to admins only.
 * @public
 */
export const orchRolePermissions: Readonly<
  Record<OrchRole, readonly string[]>
> = {
  admin: [
    runbookReadPermission.name,
    runbookExecutePermission.name,
    runbookManagePermission.name,
    jobReadPermission.name,
    jobCancelPermission.name,
    jobRelaunchPermission.name,
    connectionReadPermission.name,
    connectionCreatePermission.name,
    connectionUpdatePermission.name,
    connectionDeletePermission.name,
    auditReadPermission.name,
    userReadPermission.name,
    userManagePermission.name,
  ],
  operator: [
    runbookReadPermission.name,
    runbookExecutePermission.name,
    jobReadPermission.name,
    jobCancelPermission.name,
    jobRelaunchPermission.name,
    connectionReadPermission.name,
  ],
  viewer: [runbookReadPermission.name, jobReadPermission.name],
};

/**
 * Permissions of other plugins that a role grants by name, on top of every
 * permission whose `attributes.action` is `read` (which operators and viewers
 * both get). Operators may use software templates and acknowledge or resolve
 * container incidents; viewers may look at them.
 * @public
 */
export const nonOrchRolePermissions: Readonly<
  Record<Exclude<OrchRole, 'admin'>, readonly string[]>
> = {
  operator: [
    'portainer.incident.manage',
    'scaffolder.task.create',
    'scaffolder.task.read',
    'scaffolder.task.cancel',
    'scaffolder.action.execute',
    'scaffolder.template.parameter.read',
    'scaffolder.template.step.read',
  ],
  viewer: [
    'scaffolder.template.parameter.read',
    'scaffolder.template.step.read',
  ],
};

const ORCH_PERMISSION_PREFIX = 'orch.';

function roleAllows(role: OrchRole, permission: Permission): boolean {
  if (role === 'admin') {
    return true;
  }
  // Orch's own permissions follow the matrix alone: an orch permission with
  // action 'read' (the audit log, users) is not open to every reader.
  if (permission.name.startsWith(ORCH_PERMISSION_PREFIX)) {
    return orchRolePermissions[role].includes(permission.name);
  }
  return (
    permission.attributes.action === 'read' ||
    nonOrchRolePermissions[role].includes(permission.name)
  );
}

/**
 * Whether a user holding `roles` may do what `permission` guards. No role
 * allows nothing. This is the whole decision matrix; the permission policy
 * module only adds who holds which roles.
 * @public
 */
export function rolesAllow(
  roles: readonly OrchRole[],
  permission: Permission,
): boolean {
  return roles.some(role => isOrchRole(role) && roleAllows(role, permission));
}

/**
 * The names of the orch permissions that `roles` grant, in the order of
 * {@link orchPermissions}, e.g. for `GET /v1/me`.
 * @public
 */
export function permissionNamesFor(roles: readonly OrchRole[]): string[] {
  return orchPermissions
    .filter(permission => rolesAllow(roles, permission))
    .map(permission => permission.name);
}
