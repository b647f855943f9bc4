import {
  containerReadPermission,
  incidentManagePermission,
  logsReadPermission,
} from '@internal/backstage-plugin-portainer-common';
import { rolesAllow } from '@internal/backstage-plugin-orch-common';
import { useOrchMe } from './useOrchMe';

/**
 * What the signed-in user may do on the monitoring screens. `/v1/me` lists
 * the `orch.*` permissions; the portainer plugin's are decided by the same
 * role matrix (`rolesAllow`), so they are read from the roles when `/v1/me`
 * does not name them. All false while loading and on error: buttons a user
 * may not use are never shown (the server checks again anyway).
 */
export function useMonitoringPermissions(): {
  loading: boolean;
  containerRead: boolean;
  logsRead: boolean;
  incidentManage: boolean;
} {
  const { me, loading } = useOrchMe();
  const may = (permission: typeof containerReadPermission) =>
    !!me &&
    (me.permissions.includes(permission.name) ||
      rolesAllow(me.roles, permission));
  return {
    loading,
    containerRead: may(containerReadPermission),
    logsRead: may(logsReadPermission),
    incidentManage: may(incidentManagePermission),
  };
}
