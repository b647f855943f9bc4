import { auditReadPermission } from '@internal/backstage-plugin-orch-common';
import type { Router } from 'express';
import type { RouterOptions } from '../router';
import { InputValidationError } from '../service/errors';
import type { Guards } from './guards';
import { intParam, stringParam } from './params';

/** The audit log, read-only: no route updates or deletes an entry. */
export function auditRoutes(
  router: Router,
  options: RouterOptions,
  { authorize }: Guards,
) {
  const { audit } = options;
  router.get('/v1/audit', async (req, res) => {
    await authorize(req, auditReadPermission);
    const date = (value: unknown, field: string) => {
      const text = stringParam(value, field);
      if (text === undefined) return undefined;
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) {
        throw new InputValidationError('Invalid query', [
          { field, message: 'must be an ISO-8601 date' },
        ]);
      }
      return d;
    };
    const target = stringParam(req.query.target, 'target');
    const [targetType, targetId] = target?.includes(':')
      ? target.split(/:(.*)/s)
      : [target, undefined];
    res.json(
      await audit.list(
        {
          actor: stringParam(req.query.actor, 'actor'),
          action: stringParam(req.query.action, 'action'),
          targetType,
          targetId,
          from: date(req.query.from, 'from'),
          to: date(req.query.to, 'to'),
        },
        {
          cursor: stringParam(req.query.cursor, 'cursor'),
          limit: intParam(req.query.limit, 'limit', 50, 500) || 50,
        },
      ),
    );
  });
}
