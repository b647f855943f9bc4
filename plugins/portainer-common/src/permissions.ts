import {
  createPermission,
  type BasicPermission,
} from '@backstage/plugin-permission-common';

/**
 * See Docker endpoints and what runs on them: endpoint status, containers
 * (with their spec, secret-looking environment values redacted), Swarm
 * stacks and services.
 * @public
 */
export const containerReadPermission = createPermission({
  name: 'portainer.container.read',
  attributes: { action: 'read' },
});

/**
 * Read container logs, snapshots and live follow. Separate from
 * {@link containerReadPermission}: logs may carry what a spec does not.
 * @public
 */
export const logsReadPermission = createPermission({
  name: 'portainer.logs.read',
  attributes: { action: 'read' },
});

/**
 * Acknowledge and resolve incidents opened from Docker events.
 * @public
 */
export const incidentManagePermission = createPermission({
  name: 'portainer.incident.manage',
  attributes: { action: 'update' },
});

/**
 * Every permission of the portainer plugin, for
 * `permissionsRegistry.addPermissions`.
 * @public
 */
export const portainerPermissions: BasicPermission[] = [
  containerReadPermission,
  logsReadPermission,
  incidentManagePermission,
];
