import { runbookExecutePermission } from '@internal/backstage-plugin-orch-common';
import type { Router } from 'express';
import type { RouterOptions } from '../router';
import type { Guards } from './guards';

/** Project installs: one parent job per install, its steps as child jobs. */
export function projectRoutes(
  router: Router,
  options: RouterOptions,
  { authorize, audited }: Guards,
) {
  const { projects } = options;
  router.post('/v1/projects/install', async (req, res) => {
    const credentials = await authorize(
      req,
      runbookExecutePermission,
      'project.install',
    );
    const body = req.body ?? {};
    if (body.dryRun === true) {
      // Validates and resolves the plan; nothing is written or enqueued.
      const result = await projects.install(body, credentials);
      res.status(200).json('plan' in result ? result.plan : result);
      return;
    }
    const result = await audited(
      req,
      credentials,
      'project.install',
      r => ('job' in r ? { type: 'job', id: r.job.id } : undefined),
      () => projects.install(body, credentials),
      {
        project: typeof body.project === 'string' ? body.project : undefined,
        environment:
          typeof body.environment === 'string' ? body.environment : undefined,
        repository:
          typeof body.repository === 'string' ? body.repository : undefined,
        ref: typeof body.ref === 'string' ? body.ref : undefined,
      },
    );
    if (!('job' in result)) {
      res.status(200).json(result.plan);
      return;
    }
    res
      .status(202)
      .location(`/api/orch/v1/jobs/${result.job.id}`)
      .json({ jobId: result.job.id });
  });
}
