import { NotFoundError } from '@backstage/errors';
import {
  JOB_ARTIFACT_NAMES,
  JOB_STATUSES,
  jobCancelPermission,
  jobReadPermission,
  jobRelaunchPermission,
  runbookExecutePermission,
  type JobStatus,
} from '@internal/backstage-plugin-orch-common';
import type { Router } from 'express';
import { createReadStream } from 'fs';
import { stat } from 'fs/promises';
import { join } from 'path';
import type { RouterOptions } from '../router';
import { InputValidationError } from '../service/errors';
import { assertJobId } from '../service/JobService';
import type { Guards } from './guards';
import { intParam, stringParam } from './params';

const CONTENT_TYPES: Record<string, string> = {
  'output.json': 'application/json',
  'logs.ndjson': 'application/x-ndjson',
  'artifacts.tar.gz': 'application/gzip',
};

/** Jobs: list, detail, events, live logs (SSE), cancel, relaunch, artifacts. */
export function jobRoutes(
  router: Router,
  options: RouterOptions,
  { authorize, audited }: Guards,
) {
  const { jobs, logs, store } = options;
  router.get('/v1/jobs', async (req, res) => {
    await authorize(req, jobReadPermission);
    const statusParam = stringParam(req.query.status, 'status');
    const status = statusParam?.split(',') as JobStatus[] | undefined;
    if (status?.some(s => !JOB_STATUSES.includes(s))) {
      throw new InputValidationError('Invalid query', [
        {
          field: 'status',
          message: `must be among ${JOB_STATUSES.join(', ')}`,
        },
      ]);
    }
    res.json(
      await store.listJobs(
        {
          status,
          runbook: stringParam(req.query.runbook, 'runbook'),
          environment: stringParam(req.query.environment, 'environment'),
          createdBy: stringParam(req.query.createdBy, 'createdBy'),
          parentJobId: stringParam(req.query.parentJobId, 'parentJobId'),
          kind: kindParam(stringParam(req.query.kind, 'kind')),
        },
        {
          cursor: stringParam(req.query.cursor, 'cursor'),
          limit: intParam(req.query.limit, 'limit', 50, 500) || 50,
        },
      ),
    );
  });

  router.get('/v1/jobs/:id', async (req, res) => {
    await authorize(req, jobReadPermission);
    const job = await jobs.getJob(req.params.id);
    const [steps, lastSeq] = await Promise.all([
      store.listSteps(job.id),
      store.maxEventSeq(job.id),
    ]);
    const artifacts = [];
    for (const name of JOB_ARTIFACT_NAMES) {
      const info = await stat(join(options.artifactsDir, job.id, name)).catch(
        () => undefined,
      );
      if (info)
        artifacts.push({
          name,
          size: info.size,
          url: `/api/orch/v1/jobs/${job.id}/artifacts/${name}`,
        });
    }
    // A project install lists the child job of each of its steps.
    const children =
      job.kind === 'project'
        ? (await store.listChildren(job.id)).map(c => ({
            id: c.id,
            runbookName: c.runbookName,
            status: c.status,
            stepIndex: c.stepIndex,
            createdAt: c.createdAt,
            finishedAt: c.finishedAt,
            error: c.error,
          }))
        : undefined;
    // lastSeq lets a log viewer open at the tail of a huge log and follow
    // the stream from there (Last-Event-ID) instead of replaying it all.
    res.json({ job, steps, artifacts, lastSeq, ...(children ? { children } : {}) });
  });

  router.get('/v1/jobs/:id/events', async (req, res) => {
    await authorize(req, jobReadPermission);
    const job = await jobs.getJob(req.params.id);
    res.json(
      await store.listEvents(job.id, {
        after: intParam(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER),
        before: req.query.before
          ? intParam(req.query.before, 'before', 0, Number.MAX_SAFE_INTEGER)
          : undefined,
        limit: intParam(req.query.limit, 'limit', 500, 5000) || 500,
        q: stringParam(req.query.q, 'q'),
      }),
    );
  });

  router.get('/v1/jobs/:id/logs/stream', async (req, res) => {
    await authorize(req, jobReadPermission);
    const job = await jobs.getJob(req.params.id);
    const after = intParam(
      req.get('Last-Event-ID') ?? req.query.after,
      'Last-Event-ID',
      0,
      Number.MAX_SAFE_INTEGER,
    );
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const write = (chunk: string) =>
      new Promise<void>(resolve => {
        if (controller.signal.aborted || res.write(chunk)) resolve();
        else res.once('drain', resolve);
      });
    await write('retry: 2000\n\n');
    await logs.run(
      job.id,
      after,
      {
        event: e => write(`id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`),
        status: (status, error) =>
          write(
            `event: status\ndata: ${JSON.stringify({
              status,
              ...(error ? { error } : {}),
            })}\n\n`,
          ),
        end: status =>
          write(`event: end\ndata: ${JSON.stringify({ status })}\n\n`),
        ping: () => write(': ping\n\n'),
      },
      controller.signal,
    );
    res.end();
  });

  router.post('/v1/jobs/:id/cancel', async (req, res) => {
    const credentials = await authorize(req, jobCancelPermission, 'job.cancel');
    const id = req.params.id;
    res.status(202).json(
      await audited(
        req,
        credentials,
        'job.cancel',
        () => ({ type: 'job', id }),
        () => jobs.cancel(id),
      ),
    );
  });

  router.post('/v1/jobs/:id/relaunch', async (req, res) => {
    const credentials = await authorize(
      req,
      jobRelaunchPermission,
      'job.relaunch',
    );
    await authorize(req, runbookExecutePermission, 'job.relaunch');
    const id = req.params.id;
    const job = await audited(
      req,
      credentials,
      'job.relaunch',
      j => ({ type: 'job', id: j.id }),
      async () => {
        const original = await jobs.getJob(id);
        return original.kind === 'project'
          ? options.projects.relaunch(original, req.body ?? {}, credentials)
          : jobs.relaunch(id, req.body ?? {}, credentials);
      },
      { from: id },
    );
    res
      .status(202)
      .location(`/api/orch/v1/jobs/${job.id}`)
      .json({ jobId: job.id });
  });

  router.get('/v1/jobs/:id/artifacts/:name', async (req, res) => {
    await authorize(req, jobReadPermission);
    const { id, name } = req.params;
    assertJobId(id);
    if (!(JOB_ARTIFACT_NAMES as readonly string[]).includes(name)) {
      throw new NotFoundError(
        `No artifact named ${JSON.stringify(name).slice(0, 80)}`,
      );
    }
    const job = await jobs.getJob(id);
    const file = join(options.artifactsDir, job.id, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile())
      throw new NotFoundError(`Job ${id} has no ${name} yet`);
    res.set({
      'Content-Type': CONTENT_TYPES[name],
      'Content-Length': String(info.size),
      'Content-Disposition': `attachment; filename="${job.id}-${name}"`,
    });
    createReadStream(file).pipe(res);
  });
}

function kindParam(kind: string | undefined): 'runbook' | 'project' | undefined {
  if (kind === undefined || kind === 'runbook' || kind === 'project') return kind;
  throw new InputValidationError('Invalid query', [
    { field: 'kind', message: 'must be runbook or project' },
  ]);
}
