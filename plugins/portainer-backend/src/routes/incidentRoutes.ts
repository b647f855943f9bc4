import type { AuditorService } from '@backstage/backend-plugin-api';
import {
  containerReadPermission,
  incidentManagePermission,
  INCIDENT_REASONS,
  type IncidentStatus,
} from '@internal/backstage-plugin-portainer-common';
import type { Request, Router } from 'express';
import type { PortainerServices } from '../router';
import type { Guards } from './guards';
import { QueryReader } from './params';

const STATUSES: readonly IncidentStatus[] = [
  'open',
  'acknowledged',
  'resolved',
];
const MAX_LIMIT = 100;

/** Who acts, as the incident's timeline names them. */
function actorOf(credentials: { principal: unknown }): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

/** Incidents opened from Docker events: list, read, acknowledge, resolve. */
export function incidentRoutes(
  router: Router,
  { incidents, monitor }: PortainerServices,
  { authorize }: Guards,
  auditor: AuditorService,
) {
  router.get('/v1/incidents', async (req, res) => {
    await authorize(req, containerReadPermission);
    const q = new QueryReader(req.query);
    const filter = {
      status: q.someOf('status', STATUSES),
      endpointId: q.optionalEndpointId(),
      stack: q.string('stack'),
      reason: q.someOf('reason', INCIDENT_REASONS)?.[0],
    };
    const cursor = q.string('cursor');
    const limit = q.int('limit', MAX_LIMIT) ?? 50;
    q.done();
    res.json(
      await incidents.list(
        Object.fromEntries(
          Object.entries(filter).filter(([, v]) => v !== undefined),
        ),
        { cursor, limit: Math.max(limit, 1) },
      ),
    );
  });

  // The watched engines and their counters: is monitoring alive?
  router.get('/v1/incidents/watchers', async (req, res) => {
    await authorize(req, containerReadPermission);
    res.json({ enabled: !!monitor, items: monitor?.engines() ?? [] });
  });

  router.get('/v1/incidents/:id', async (req, res) => {
    await authorize(req, containerReadPermission);
    const q = new QueryReader(req.query);
    const id = q.uuid(req.params.id);
    q.done();
    res.json(await incidents.get(id));
  });

  const change = (action: 'ack' | 'resolve') => async (req: Request, res: any) => {
    const credentials = await authorize(req, incidentManagePermission);
    const q = new QueryReader({});
    const id = q.uuid(req.params.id);
    q.done();
    const event = await auditor.createEvent({
      eventId: `incident-${action}`,
      severityLevel: 'medium',
      request: req,
      meta: { incidentId: id },
    });
    try {
      const by = actorOf(credentials);
      const incident =
        action === 'ack'
          ? await incidents.ack(id, by)
          : await incidents.resolve(id, by);
      await event.success({ meta: { status: incident.status } });
      res.json(incident);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  };
  router.post('/v1/incidents/:id/ack', change('ack'));
  router.post('/v1/incidents/:id/resolve', change('resolve'));
}
