import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  JOB_ARTIFACT_NAMES,
  JOB_STATUSES,
  auditReadPermission,
  connectionCreatePermission,
  connectionDeletePermission,
  connectionReadPermission,
  connectionUpdatePermission,
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
import { AuditService, clientOf } from './service/AuditService';
import type { ConnectionService } from './service/ConnectionService';
import { InputValidationError } from './service/errors';
import type { HealthService } from './service/HealthService';
import { assertJobId, principalOf, type JobService } from './service/JobService';
import type { LogStreamService } from './service/LogStreamService';

/** @public */
export type RouterOptions = {
  health: HealthService;
  jobs: JobService;
  connections: ConnectionService;
  audit: AuditService;
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
  const { health, jobs, logs, store, httpAuth, permissions, connections, audit } = options;
  const router = Router();
  router.use(express.json({ limit: options.maxBodySize }));

  /**
   * Checks a permission. With `action`, the check is part of a critical
   * action: a refusal is recorded in the audit log as `denied`.
   */
  async function authorize(req: Request, permission: BasicPermission, action?: string) {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const [decision] = await permissions.authorize([{ permission }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW) {
      if (action) {
        await audit.record({
          actor: principalOf(credentials),
          action,
          outcome: 'denied',
          client: clientOf(req),
          metadata: { permission: permission.name, path: req.path },
        });
      }
      throw new NotAllowedError(`Not allowed: ${permission.name}`);
    }
    return credentials;
  }

  /**
   * Runs a critical action and records its outcome: `success` with the
   * target it produced, or `failure` with the error's name and message
   * (which never carry a secret: inputs are not echoed into errors).
   */
  async function audited<T>(
    req: Request,
    credentials: Awaited<ReturnType<typeof authorize>>,
    action: string,
    target: (result: T) => { type: string; id: string } | undefined,
    run: () => Promise<T>,
    metadata: Record<string, unknown> = {},
  ): Promise<T> {
    const base = { actor: principalOf(credentials), action, client: clientOf(req) };
    try {
      const result = await run();
      await audit.record({ ...base, target: target(result), outcome: 'success', metadata });
      return result;
    } catch (e) {
      const error = e as Error;
      await audit.record({
        ...base,
        outcome: 'failure',
        metadata: { ...metadata, error: `${error.name}: ${error.message}`.slice(0, 500) },
      });
      throw e;
    }
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
      await audited(req, credentials, action, () => ({ type: 'runbook', id: name }), () =>
        jobs.setRunbookEnabled(name, enabled),
      ),
    );
  });

  router.post('/v1/runbooks/:name/execute', async (req, res) => {
    const credentials = await authorize(req, runbookExecutePermission, 'runbook.execute');
    const name = req.params.name;
    const job = await audited(
      req,
      credentials,
      'runbook.execute',
      j => ({ type: 'job', id: j.id }),
      () => jobs.execute(name, req.body ?? {}, credentials),
      {
        runbook: name,
        environment: typeof req.body?.environment === 'string' ? req.body.environment : undefined,
        connections: Array.isArray(req.body?.connections) ? req.body.connections : undefined,
      },
    );
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
    const credentials = await authorize(req, jobCancelPermission, 'job.cancel');
    const id = req.params.id;
    res.status(202).json(
      await audited(req, credentials, 'job.cancel', () => ({ type: 'job', id }), () => jobs.cancel(id)),
    );
  });

  router.post('/v1/jobs/:id/relaunch', async (req, res) => {
    const credentials = await authorize(req, jobRelaunchPermission, 'job.relaunch');
    await authorize(req, runbookExecutePermission, 'job.relaunch');
    const id = req.params.id;
    const job = await audited(
      req,
      credentials,
      'job.relaunch',
      j => ({ type: 'job', id: j.id }),
      () => jobs.relaunch(id, req.body ?? {}, credentials),
      { from: id },
    );
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
    const credentials = await authorize(req, connectionCreatePermission, 'connection.create');
    const created = await audited(
      req,
      credentials,
      'connection.create',
      c => ({ type: 'connection', id: c.id }),
      () => connections.create(req.body ?? {}, principalOf(credentials)),
      { type: req.body?.type, name: req.body?.name, environment: req.body?.environment },
    );
    res.status(201).location(`/api/orch/v1/connections/${created.id}`).json(created);
  });

  router.patch('/v1/connections/:id', async (req, res) => {
    const credentials = await authorize(req, connectionUpdatePermission, 'connection.update');
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
    const credentials = await authorize(req, connectionDeletePermission, 'connection.delete');
    const id = req.params.id;
    await audited(req, credentials, 'connection.delete', () => ({ type: 'connection', id }), () =>
      connections.delete(id),
    );
    res.status(204).end();
  });

  router.get('/v1/audit', async (req, res) => {
    await authorize(req, auditReadPermission);
    const date = (value: unknown, field: string) => {
      const text = stringParam(value, field);
      if (text === undefined) return undefined;
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) {
        throw new InputValidationError('Invalid query', [{ field, message: 'must be an ISO-8601 date' }]);
      }
      return d;
    };
    const target = stringParam(req.query.target, 'target');
    const [targetType, targetId] = target?.includes(':') ? target.split(/:(.*)/s) : [target, undefined];
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
