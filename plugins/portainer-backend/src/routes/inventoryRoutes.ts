import { containerReadPermission } from '@internal/backstage-plugin-portainer-common';
import type { Router } from 'express';
import type { PortainerServices } from '../router';
import type { Guards } from './guards';
import { QueryReader } from './params';

/** Endpoints, containers, stacks and services: read-only views. */
export function inventoryRoutes(
  router: Router,
  { endpoints, containers }: PortainerServices,
  { authorize }: Guards,
) {
  router.get('/v1/endpoints', async (req, res) => {
    await authorize(req, containerReadPermission);
    res.json(await endpoints.list());
  });

  router.get('/v1/containers', async (req, res) => {
    await authorize(req, containerReadPermission);
    const q = new QueryReader(req.query);
    const endpointId = q.endpointId();
    const filters = {
      status: q.status(),
      stack: q.string('stack'),
      service: q.string('service'),
      labels: q.labels(),
    };
    q.done();
    res.json(await containers.listContainers(endpointId, filters));
  });

  router.get('/v1/containers/:id', async (req, res) => {
    await authorize(req, containerReadPermission);
    const q = new QueryReader(req.query);
    const endpointId = q.endpointId();
    const id = q.container(req.params.id);
    q.done();
    res.json(await containers.getContainer(endpointId, id));
  });

  router.get('/v1/stacks', async (req, res) => {
    await authorize(req, containerReadPermission);
    const q = new QueryReader(req.query);
    const endpointId = q.endpointId();
    q.done();
    res.json(await containers.listStacks(endpointId));
  });

  router.get('/v1/services', async (req, res) => {
    await authorize(req, containerReadPermission);
    const q = new QueryReader(req.query);
    const endpointId = q.endpointId();
    q.done();
    res.json(await containers.listServices(endpointId));
  });
}
