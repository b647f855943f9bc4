import {
  userManagePermission,
  userReadPermission,
} from '@internal/backstage-plugin-orch-common';
import type { OrchUser } from '@internal/backstage-plugin-orch-node';
import type { Router } from 'express';
import type { RouterOptions } from '../router';
import { principalOf } from '../service/JobService';
import type { Guards } from './guards';
import { intParam, stringParam } from './params';

/** Which fields a user change touched, never a password. */
function changedFields(body: unknown): string[] {
  return body && typeof body === 'object' ? Object.keys(body).slice(0, 20) : [];
}

/** Users and their roles, for administrators. */
export function userRoutes(
  router: Router,
  options: RouterOptions,
  { authorize, audited }: Guards,
) {
  const { userAdmin } = options;
  const target = (u: OrchUser) => ({ type: 'user', id: u.id });

  router.get('/v1/users', async (req, res) => {
    await authorize(req, userReadPermission);
    res.json(
      await userAdmin.list({
        status: stringParam(req.query.status, 'status'),
        cursor: stringParam(req.query.cursor, 'cursor'),
        limit: intParam(req.query.limit, 'limit', 100, 500) || 100,
      }),
    );
  });

  router.get('/v1/users/:id', async (req, res) => {
    await authorize(req, userReadPermission);
    res.json(await userAdmin.get(req.params.id));
  });

  router.post('/v1/users', async (req, res) => {
    const credentials = await authorize(req, userManagePermission, 'user.create');
    const created = await audited(
      req,
      credentials,
      'user.create',
      target,
      () => userAdmin.create(req.body),
      { email: req.body?.email, roles: req.body?.roles },
    );
    res.status(201).location(`/api/orch/v1/users/${created.id}`).json(created);
  });

  router.patch('/v1/users/:id', async (req, res) => {
    const credentials = await authorize(req, userManagePermission, 'user.update');
    const id = req.params.id;
    res.json(
      await audited(
        req,
        credentials,
        'user.update',
        () => ({ type: 'user', id }),
        () => userAdmin.update(id, req.body, principalOf(credentials)),
        {
          fields: changedFields(req.body),
          status: req.body?.status,
          roles: req.body?.roles,
        },
      ),
    );
  });

  router.post('/v1/users/:id/reset-password', async (req, res) => {
    const credentials = await authorize(
      req,
      userManagePermission,
      'user.password.reset',
    );
    const id = req.params.id;
    res.json(
      await audited(
        req,
        credentials,
        'user.password.reset',
        () => ({ type: 'user', id }),
        () => userAdmin.resetPassword(id, req.body),
      ),
    );
  });
}
