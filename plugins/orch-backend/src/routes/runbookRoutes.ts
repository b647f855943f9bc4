import {
  type Runbook,
  type RunbookResponse,
  runbookExecutePermission,
  runbookManagePermission,
  runbookReadPermission,
} from '@internal/backstage-plugin-orch-common';
import type { Router } from 'express';
import type { RouterOptions } from '../router';
import { InputValidationError } from '../service/errors';
import type { Guards } from './guards';
import { stringParam } from './params';

/** A runbook with its inputs' schema also as `schema`, the blueprint's name. */
function withSchema(runbook: Runbook): RunbookResponse {
  return { ...runbook, schema: runbook.inputs };
}

/** Runbooks: list, read, enable/disable, execute. */
export function runbookRoutes(
  router: Router,
  options: RouterOptions,
  { authorize, audited }: Guards,
) {
  const { jobs } = options;
  router.get('/v1/runbooks', async (req, res) => {
    await authorize(req, runbookReadPermission);
    res.json({
      items: (
        await jobs.listRunbooks({
          category: stringParam(req.query.category, 'category'),
          environment: stringParam(req.query.environment, 'environment'),
        })
      ).map(withSchema),
    });
  });

  router.get('/v1/runbooks/:name', async (req, res) => {
    await authorize(req, runbookReadPermission);
    res.json(withSchema(await jobs.getRunbook(req.params.name)));
  });

  router.post('/v1/runbooks/:name/enabled', async (req, res) => {
    const enabled = req.body?.enabled;
    const action = enabled === false ? 'runbook.disable' : 'runbook.enable';
    const credentials = await authorize(req, runbookManagePermission, action);
    if (typeof enabled !== 'boolean') {
      throw new InputValidationError('Invalid request', [
        { field: 'enabled', message: 'must be true or false' },
      ]);
    }
    const name = req.params.name;
    res.json(
      await audited(
        req,
        credentials,
        action,
        () => ({ type: 'runbook', id: name }),
        () => jobs.setRunbookEnabled(name, enabled),
      ),
    );
  });

  router.post('/v1/runbooks/:name/execute', async (req, res) => {
    const credentials = await authorize(
      req,
      runbookExecutePermission,
      'runbook.execute',
    );
    const name = req.params.name;
    if (req.body?.dryRun === true) {
      // Every check of an execute, nothing written or enqueued.
      res.status(200).json(await jobs.dryRun(name, req.body, credentials));
      return;
    }
    const job = await audited(
      req,
      credentials,
      'runbook.execute',
      j => ({ type: 'job', id: j.id }),
      () => jobs.execute(name, req.body ?? {}, credentials),
      j => ({
        runbook: name,
        // The job's own environment: the defaulted one when none was given.
        environment:
          j?.environment ??
          (typeof req.body?.environment === 'string'
            ? req.body.environment
            : undefined),
        connections: Array.isArray(req.body?.connections)
          ? req.body.connections
          : undefined,
      }),
    );
    res
      .status(202)
      .location(`/api/orch/v1/jobs/${job.id}`)
      .json({ jobId: job.id });
  });
}
