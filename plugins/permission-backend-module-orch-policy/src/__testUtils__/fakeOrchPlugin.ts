import {
  coreServices,
  createBackendPlugin,
  type BackendFeature,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import type { OrchRole } from '@internal/backstage-plugin-orch-common';
import express from 'express';

/** What the fake answers for one user. */
export interface FakePrincipal {
  active: boolean;
  roles: OrchRole[];
}

/** One call of `POST /v1/auth/principal` as the fake saw it. */
export interface FakePrincipalRequest {
  /** The caller's service subject, e.g. `plugin:permission`. */
  subject: string;
  body: { userEntityRef?: string; ownershipEntityRefs?: string[] };
}

export interface FakeOrch {
  /** A backend plugin with pluginId `orch`. */
  feature: BackendFeature;
  /** Sets what the fake answers for a user (unknown users are inactive). */
  setPrincipal(userEntityRef: string, principal: FakePrincipal): void;
  /** Makes the fake answer this status (e.g. 500) until called without. */
  failWith(status?: number): void;
  /** Every call so far, in order. */
  readonly requests: FakePrincipalRequest[];
  /** The orch plugin's own permissions service, once the backend started. */
  permissions(): PermissionsService;
}

/**
 * A stand-in for the orch backend plugin that serves only the service-only
 * `POST /v1/auth/principal` of the auth spec, from an in-memory table.
 */
export function createFakeOrch(
  initial: Record<string, FakePrincipal> = {},
): FakeOrch {
  const principals = new Map(Object.entries(initial));
  const requests: FakePrincipalRequest[] = [];
  let failStatus: number | undefined;
  let permissions: PermissionsService | undefined;

  const feature = createBackendPlugin({
    pluginId: 'orch',
    register(env) {
      env.registerInit({
        deps: {
          httpAuth: coreServices.httpAuth,
          httpRouter: coreServices.httpRouter,
          permissions: coreServices.permissions,
        },
        async init({ httpAuth, httpRouter, permissions: service }) {
          permissions = service;
          const router = express.Router();
          router.use(express.json());
          router.post('/v1/auth/principal', (req, res, next) => {
            httpAuth
              .credentials(req, { allow: ['service'] })
              .then(credentials => {
                requests.push({
                  subject: credentials.principal.subject,
                  body: req.body,
                });
                if (failStatus !== undefined) {
                  res.status(failStatus).json({ error: { name: 'Error' } });
                  return;
                }
                const userEntityRef = String(req.body?.userEntityRef);
                const principal = principals.get(userEntityRef) ?? {
                  active: false,
                  roles: [],
                };
                res.json({ userEntityRef, ...principal });
              })
              .catch(next);
          });
          httpRouter.use(router);
        },
      });
    },
  });

  return {
    feature,
    setPrincipal(userEntityRef, principal) {
      principals.set(userEntityRef, principal);
    },
    failWith(status) {
      failStatus = status;
    },
    requests,
    permissions() {
      if (!permissions) {
        throw new Error('The fake orch plugin has not started');
      }
      return permissions;
    },
  };
}
