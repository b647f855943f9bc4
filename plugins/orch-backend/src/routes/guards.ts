import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type BasicPermission,
} from '@backstage/plugin-permission-common';
import type { Request } from 'express';
import { clientOf, type AuditService } from '../service/AuditService';
import { principalOf } from '../service/JobService';

/** Permission checks and audited actions, shared by every route module. */
export type Guards = ReturnType<typeof createGuards>;

export function createGuards({
  httpAuth,
  permissions,
  audit,
}: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  audit: AuditService;
}) {
  /**
   * Checks a permission. With `action`, the check is part of a critical
   * action: a refusal is recorded in the audit log as `denied`.
   */
  async function authorize(
    req: Request,
    permission: BasicPermission,
    action?: string,
  ) {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      if (action) {
        await audit.record({
          actor: principalOf(credentials),
          action,
          outcome: 'denied',
          client: clientOf(req),
          metadata: { permission: permission.name, path: req.path },
        });
      }
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  /**
   * Runs a critical action and records its outcome: `success` with the
   * target it produced, or `failure` with the error's name and message
   * (which never carry a secret: inputs are not echoed into errors).
   */
  async function audited<T>(
    req: Request,
    credentials: BackstageCredentials,
    action: string,
    target: (result: T) => { type: string; id: string } | undefined,
    run: () => Promise<T>,
    /** What the entry records; a function sees the result (on success). */
    metadata:
      | Record<string, unknown>
      | ((result?: T) => Record<string, unknown>) = {},
  ): Promise<T> {
    const metadataOf = (result?: T) =>
      typeof metadata === 'function' ? metadata(result) : metadata;
    const base = {
      actor: principalOf(credentials),
      action,
      client: clientOf(req),
    };
    try {
      const result = await run();
      await audit.record({
        ...base,
        target: target(result),
        outcome: 'success',
        metadata: metadataOf(result),
      });
      return result;
    } catch (e) {
      const error = e as Error;
      await audit.record({
        ...base,
        // A runbook's own access rules refuse after the permission check.
        outcome: error.name === 'NotAllowedError' ? 'denied' : 'failure',
        metadata: {
          ...metadataOf(),
          error: `${error.name}: ${error.message}`.slice(0, 500),
        },
      });
      throw e;
    }
  }

  return { authorize, audited };
}
