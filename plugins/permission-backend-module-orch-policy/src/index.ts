/**
 * The orch-policy backend module for the permission plugin: Orch's roles
 * decide every permission.
 *
 * @packageDocumentation
 */

export { permissionModuleOrchPolicy as default } from './module';
export { OrchPermissionPolicy } from './OrchPermissionPolicy';
export type { OrchPermissionPolicyOptions } from './OrchPermissionPolicy';
export { OrchPrincipalClient } from './OrchPrincipalClient';
export type {
  OrchPrincipal,
  OrchPrincipalClientOptions,
} from './OrchPrincipalClient';
