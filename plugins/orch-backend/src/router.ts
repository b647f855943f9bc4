import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  JOB_ARTIFACT_NAMES,
  JOB_STATUSES,
  jobCancelPermission,
  jobReadPermission,
  jobRelaunchPermission,
  runbookExecutePermission,
  runbookManagePermission,
  runbookReadPermission,
  type JobStatus,
} from '@internal/backstage-plugin-orch-common';
import type { DatabaseJobStore } from '@internal/backstage-plugin-orch-node';
import type { BasicPermission } from '@backstage/plugin-permission-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express, { type Request, type Response } from 'express';
import Router from 'express-promise-router';
import { createReadStream } from 'fs';
import { stat } from 'fs/promises';
import { join } from 'path';
import { InputValidationError } from './service/errors';
import type { HealthService } from './service/HealthService';
import { assertJobId, type JobService } from './service/JobService';
import type { LogStreamService } from './service/LogStreamService';

/** @public */
export type RouterOptions = {
  health: HealthService;
  jobs: JobService;
  logs: LogStreamService;
  store: DatabaseJobStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  artifactsDir: string;
  /** express body-parser limit, e.g. `256kb`. */
  maxBodySize: string;
};

const CONTENT_TYPES: Record<string, string> = {
  'output.json': 'application/json',
  'logs.ndjson': 'application/x-ndjson',
  'artifacts.tar.gz': 'application/gzip',
};

function intParam(value: unknown, name: string, def: number, max: number): number {
  if (value === undefined || value === '') return def;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new InputValidationError('Invalid query', [
      { field: name, message: `must be an integer from 0 to ${max}` },
    ]);
  }
  return n;
}

function stringParam(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 200) {
    throw new InputValidationError('Invalid query', [
      { field: name, message: 'must be a single short string' },
    ]);
  }
  return value || undefined;
}

export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { health, jobs, logs, store, httpAuth, permissions } = options;
  const router = Router();
  router.use(express.json({ limit: options.maxBodySize }));

  async function authorize(req: Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const [decision] = await permissions.authorize([{ permission }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  // Open without auth (plugin.ts): load balancers and Swarm healthchecks call
  // it. It reveals only up/down per dependency.
  router.get('/health', async (_req, res) => {
    const report = await health.report();
    res
      .status(report.status === 'ok' ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  router.get('/v1/runbooks', async (req, res) => {
    await authorize(req, runbookReadPermission);
    res.json({
      items: await jobs.listRunbooks({
        category: stringParam(req.query.category, 'category'),
        environment: stringParam(req.query.environment, 'environment'),
      }),
    });
  });

  router.get('/v1/runbooks/:name', async (req, res) => {
    await authorize(req, runbookReadPermission);
    res.json(await jobs.getRunbook(req.params.name));
  });

  router.post('/v1/runbooks/:name/enabled', async (req, res) => {
    await authorize(req, runbookManagePermission);
    if (typeof req.body?.enabled !== 'boolean') {
      throw new InputValidationError('Invalid request', [
        { field: 'enabled', message: 'must be true or false' },
      ]);
    }
    res.json(await jobs.setRunbookEnabled(req.params.name, req.body.enabled));
  });

  router.post('/v1/runbooks/:name/execute', async (req, res) => {
    const credentials = await authorize(req, runbookExecutePermission);
    const job = await jobs.execute(req.params.name, req.body ?? {}, credentials);
    res.status(202).location(`/api/orch/v1/jobs/${job.id}`).json({ jobId: job.id });
  });

  router.get('/v1/jobs', async (req, res) => {
    await authorize(req, jobReadPermission);
    const statusParam = stringParam(req.query.status, 'status');
    const status = statusParam?.split(',') as JobStatus[] | undefined;
    if (status?.some(s => !JOB_STATUSES.includes(s))) {
      throw new InputValidationError('Invalid query', [
        { field: 'status', message: `must be among ${JOB_STATUSES.join(', ')}` },
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
    const steps = await store.listSteps(job.id);
    const artifacts = [];
    for (const name of JOB_ARTIFACT_NAMES) {
      const info = await stat(join(options.artifactsDir, job.id, name)).catch(() => undefined);
      if (info) artifacts.push({ name, size: info.size, url: `/api/orch/v1/jobs/${job.id}/artifacts/${name}` });
    }
    res.json({ job, steps, artifacts });
  });

  router.get('/v1/jobs/:id/events', async (req, res) => {
    await authorize(req, jobReadPermission);
    const job = await jobs.getJob(req.params.id);
    res.json(
      await store.listEvents(job.id, {
        after: intParam(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER),
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
          write(`event: status\ndata: ${JSON.stringify({ status, ...(error ? { error } : {}) })}\n\n`),
        end: status => write(`event: end\ndata: ${JSON.stringify({ status })}\n\n`),
        ping: () => write(': ping\n\n'),
      },
      controller.signal,
    );
    res.end();
  });

  router.post('/v1/jobs/:id/cancel', async (req, res) => {
    await authorize(req, jobCancelPermission);
    res.status(202).json(await jobs.cancel(req.params.id));
  });

  router.post('/v1/jobs/:id/relaunch', async (req, res) => {
    const credentials = await authorize(req, jobRelaunchPermission);
    await authorize(req, runbookExecutePermission);
    const job = await jobs.relaunch(req.params.id, req.body ?? {}, credentials);
    res.status(202).location(`/api/orch/v1/jobs/${job.id}`).json({ jobId: job.id });
  });

  router.get('/v1/jobs/:id/artifacts/:name', async (req, res) => {
    await authorize(req, jobReadPermission);
    const { id, name } = req.params;
    assertJobId(id);
    if (!(JOB_ARTIFACT_NAMES as readonly string[]).includes(name)) {
      throw new NotFoundError(`No artifact named ${JSON.stringify(name).slice(0, 80)}`);
    }
    const job = await jobs.getJob(id);
    const file = join(options.artifactsDir, job.id, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new NotFoundError(`Job ${id} has no ${name} yet`);
    res.set({
      'Content-Type': CONTENT_TYPES[name],
      'Content-Length': String(info.size),
      'Content-Disposition': `attachment; filename="${job.id}-${name}"`,
    });
    createReadStream(file).pipe(res);
  });

  // Field-level validation errors keep Backstage's error body and add the
  // failing fields; body-parser's own errors (413, malformed JSON) keep
  // their status instead of becoming 500s.
  router.use(
    (err: any, req: Request, res: Response, next: express.NextFunction) => {
      if (err instanceof InputValidationError) {
        res.status(400).json({
          error: { name: 'InputError', message: err.message },
          fields: err.fields,
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 400 },
        });
        return;
      }
      if (err?.type === 'entity.too.large') {
        res.status(413).json({
          error: { name: 'PayloadTooLargeError', message: `Request body larger than ${options.maxBodySize}` },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 413 },
        });
        return;
      }
      if (err?.type === 'entity.parse.failed') {
        next(new InputError('Request body is not valid JSON'));
        return;
      }
      next(err);
    },
  );

  return router;
}
