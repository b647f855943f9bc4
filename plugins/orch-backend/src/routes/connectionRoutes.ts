import {
  connectionCreatePermission,
  connectionDeletePermission,
  connectionReadPermission,
  connectionUpdatePermission,
} from '@internal/backstage-plugin-orch-common';
import type { Router } from 'express';
import type { RouterOptions } from '../router';
import { principalOf } from '../service/JobService';
import type { Guards } from './guards';
import { stringParam } from './params';

/** Connections: CRUD; answers are always masked. */
export function connectionRoutes(
  router: Router,
  options: RouterOptions,
  { authorize, audited }: Guards,
) {
  const { connections } = options;
  router.get('/v1/connections', async (req, res) => {
    await authorize(req, connectionReadPermission);
    res.json({
      items: await connections.list({
        type: stringParam(req.query.type, 'type'),
        environment: stringParam(req.query.environment, 'environment'),
      }),
    });
  });

  router.get('/v1/connections/:id', async (req, res) => {
    await authorize(req, connectionReadPermission);
    res.json(await connections.get(req.params.id));
  });

  router.post('/v1/connections', async (req, res) => {
    const credentials = await authorize(
      req,
      connectionCreatePermission,
      'connection.create',
    );
    const created = await audited(
      req,
      credentials,
      'connection.create',
      c => ({ type: 'connection', id: c.id }),
      () => connections.create(req.body ?? {}, principalOf(credentials)),
      {
        type: req.body?.type,
        name: req.body?.name,
        environment: req.body?.environment,
      },
    );
    res
      .status(201)
      .location(`/api/orch/v1/connections/${created.id}`)
      .json(created);
  });

  router.patch('/v1/connections/:id', async (req, res) => {
    const credentials = await authorize(
      req,
      connectionUpdatePermission,
      'connection.update',
    );
    const id = req.params.id;
    res.json(
      await audited(
        req,
        credentials,
        'connection.update',
        () => ({ type: 'connection', id }),
        () => connections.update(id, req.body ?? {}, principalOf(credentials)),
        // Which fields changed, never their values.
        { fields: Object.keys(req.body?.values ?? {}) },
      ),
    );
  });

  router.delete('/v1/connections/:id', async (req, res) => {
    const credentials = await authorize(
      req,
      connectionDeletePermission,
      'connection.delete',
    );
    const id = req.params.id;
    await audited(
      req,
      credentials,
      'connection.delete',
      () => ({ type: 'connection', id }),
      () => connections.delete(id),
    );
    res.status(204).end();
  });
}
