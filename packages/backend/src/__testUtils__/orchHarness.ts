import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import orchPlugin from '@internal/backstage-plugin-orch-backend';
import { ORCH_JOBS_QUEUE, ORCH_PROJECTS_QUEUE } from '@internal/backstage-plugin-orch-node';
import { testRedis } from '@internal/backstage-plugin-orch-node/testUtils';
import { Queue } from 'bullmq';
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { once } from 'events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Redis } from 'ioredis';
import { databaseServiceFactory } from '../database';
import { capturingRootLogger, dumpPluginDatabase } from './capture';
import { readSse, type SseMessage } from '@internal/backstage-plugin-orch-node/testUtils';
import { REPO, testDatabaseConfig, type Engine } from './testEnv';

export type { Engine };

/** The engines the jobs tests run on: both, Postgres from script/test. */
export function engines(): Engine[] {
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (!pg && (process.env.CI === 'true' || process.env.ORCH_REQUIRE_POSTGRES === '1')) {
    throw new Error('No test Postgres: BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is unset');
  }
  return pg ? ['sqlite', 'postgres'] : ['sqlite'];
}

export type Worker = { child: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<void> };

/**
 * A whole Orch on real parts: an in-process backend with the orch plugin on a
 * real database (a SQLite file or Postgres), real Redis, and worker PROCESSES
 * started the way script/server starts them.
 */
export class OrchHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'orch-it-'));
  redis!: Redis;
  baseUrl = '';
  private backend?: Awaited<ReturnType<typeof startTestBackend>>;
  private redisEnv!: Awaited<ReturnType<typeof testRedis>>;
  private config: any;
  readonly workers: Worker[] = [];
  /** Every line the in-process backend logged, at debug level. */
  readonly logs: string[] = [];

  constructor(readonly engine: Engine) {}

  get configData() {
    return this.config;
  }

  async init(overrides: { heartbeatTtlSeconds?: number; manifestsDir?: string } = {}) {
    this.redisEnv = await testRedis();
    this.redis = new Redis(this.redisEnv.url);
    const keyFile = join(this.dir, 'master.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    const database = testDatabaseConfig(this.engine, this.dir, 'orch_it');
    this.config = {
      backend: { baseUrl: 'http://localhost:7007', database },
      orch: {
        redis: { url: this.redisEnv.url, prefix: this.redisEnv.prefix },
        runbooks: { dir: join(REPO, 'runbooks') },
        ...(overrides.manifestsDir ? { manifests: { dir: overrides.manifestsDir } } : {}),
        stacks: { dir: join(REPO, 'stacks') },
        artifacts: { dir: join(this.dir, 'artifacts') },
        secrets: { keyFile },
        worker: {
          concurrency: 2,
          heartbeatTtlSeconds: overrides.heartbeatTtlSeconds ?? 3,
          dataDir: join(this.dir, 'data'),
          shutdownGraceSeconds: 5,
        },
      },
    };
    // The worker reads only this file: JSON is YAML.
    writeFileSync(join(this.dir, 'worker-config.yaml'), JSON.stringify(this.config));
  }

  /**
   * Starts the backend; `extra` adds features (other plugins and modules)
   * and `config` merges into the configuration.
   */
  async startBackend(options: { extra?: any[]; config?: Record<string, unknown> } = {}) {
    if (options.config) this.config = { ...this.config, ...options.config };
    this.backend = await startTestBackend({
      features: [
        ...(options.extra ?? []),
        orchPlugin,
        databaseServiceFactory,
        // The real scheduler: the reconciler must run on its own schedule.
        schedulerServiceFactory,
        mockServices.rootConfig.factory({ data: this.config }),
        capturingRootLogger(this.logs),
      ],
    });
    const address = this.backend.server.address() as { port: number };
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  async stopBackend() {
    await this.backend?.stop();
    this.backend = undefined;
  }

  async startWorker(): Promise<Worker> {
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        join(REPO, 'packages/worker/src/index.ts'),
        '--config',
        join(this.dir, 'worker-config.yaml'),
      ],
      {
        cwd: REPO,
        env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', d => (output += d));
    child.stderr!.on('data', d => (output += d));
    await new Promise<void>((ready, fail) => {
      const onData = () => {
        if (output.includes('orch worker ready')) {
          child.stdout!.off('data', onData);
          ready();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', code => fail(new Error(`worker exited (${code}):\n${output}`)));
    });
    const worker: Worker = {
      child,
      output: () => output,
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill(signal);
        await exited;
      },
    };
    this.workers.push(worker);
    return worker;
  }

  /** Every row of the orch plugin's tables, as JSON text. */
  dumpDatabase(): Promise<string> {
    return dumpPluginDatabase(this.config.backend.database, 'orch', join(this.dir, 'db'));
  }

  async api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${this.baseUrl}/api/orch${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json, headers: response.headers };
  }

  async execute(runbook: string, inputs: Record<string, unknown>, environment = 'stage') {
    const r = await this.api('POST', `/v1/runbooks/${runbook}/execute`, { inputs, environment });
    if (r.status !== 202) throw new Error(`execute ${runbook}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.jobId as string;
  }

  /** Follows a job's SSE stream to its end and returns every message. */
  async follow(jobId: string, options: { lastEventId?: string; until?: (m: SseMessage) => boolean } = {}) {
    const controller = new AbortController();
    const messages: SseMessage[] = [];
    try {
      for await (const m of readSse(`${this.baseUrl}/api/orch/v1/jobs/${jobId}/logs/stream`, {
        lastEventId: options.lastEventId,
        signal: controller.signal,
      })) {
        messages.push(m);
        if (m.event === 'end' || options.until?.(m)) break;
      }
    } finally {
      controller.abort();
    }
    return messages;
  }

  /**
   * Pids of live processes started by this harness's workers for a job run:
   * the worker marks every run's process tree with ORCH_RUN=<data dir>, which
   * every descendant inherits. Other processes on the machine never match.
   */
  runProcesses(): number[] {
    const prefix = `ORCH_RUN=${join(this.dir, 'data')}/`;
    const pids: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        if (/\) [ZX] /.test(stat)) continue;
        const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
        if (env.some(e => e.startsWith(prefix))) pids.push(Number(name));
      } catch {
        // gone, or not ours to read
      }
    }
    return pids;
  }

  /**
   * The state BullMQ gives a queue entry (`completed`, `active`, …), or
   * `missing`: what the reconciler put on the queue, read through BullMQ.
   */
  async queueEntryState(entryId: string, kind: 'runbook' | 'project'): Promise<string> {
    const queue = new Queue(kind === 'project' ? ORCH_PROJECTS_QUEUE : ORCH_JOBS_QUEUE, {
      connection: this.redis.duplicate({ maxRetriesPerRequest: null }),
      prefix: this.redisEnv.prefix,
    });
    try {
      const entry = await queue.getJob(entryId);
      return entry ? await entry.getState() : 'missing';
    } finally {
      await queue.close();
    }
  }

  async job(jobId: string) {
    const r = await this.api('GET', `/v1/jobs/${jobId}`);
    return r.body;
  }

  async close() {
    for (const w of this.workers) await w.stop('SIGKILL').catch(() => {});
    await this.stopBackend().catch(() => {});
    this.redis?.disconnect();
    await this.redisEnv?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
