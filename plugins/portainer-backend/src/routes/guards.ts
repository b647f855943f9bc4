import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import type { Request } from 'express';

/** The permission check every route starts with. */
export type Guards = ReturnType<typeof createGuards>;

export function createGuards({
  httpAuth,
  permissions,
}: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}) {
  /** 401 without credentials, 403 when the policy refuses `permission`. */
  async function authorize(req: Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  return { authorize };
}
