/*
 * yarn bench jobs — the jobs engine against its anchors, measured in one run.
 *
 *  1. Launch throughput: POST /v1/runbooks/:name/execute through the real
 *     router, service, store and queue, with a no-op runner draining the
 *     queue. Anchor: AWX launches about 1 job/s through its API (awx#7136).
 *  2. Event pipeline of one worker: synthetic events → batcher → database →
 *     Redis stream → SSE client over HTTP. Anchor: AWX's callback receiver
 *     drains about 1.3k events/s (awx#9461).
 *  3. Overhead: a 50-task playbook through Orch's runner vs plain
 *     `ansible-runner run`, same machine, same run.
 *
 * Database: Postgres from BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * (or ORCH_BENCH_POSTGRES_URL), else a SQLite file. Redis: ORCH_REDIS_URL,
 * else a private redis-server.
 */
import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import express from 'express';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import knexFactory from 'knex';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { Worker } from 'bullmq';
import {
  CancelSignals,
  DatabaseAuditLog,
  DatabaseConnectionStore,
  DatabaseJobStore,
  JobEventStream,
  JobQueue,
  ORCH_JOBS_QUEUE,
  RunbookCatalog,
  RunbookJobFactory,
  SecretBox,
  createRedisConnection,
} from '@internal/backstage-plugin-orch-node';
import { startTestRedisServer } from '@internal/backstage-plugin-orch-node/testUtils';
import { createRouter } from '../plugins/orch-backend/src/router';
import { AuditService } from '../plugins/orch-backend/src/service/AuditService';
import { ConnectionService } from '../plugins/orch-backend/src/service/ConnectionService';
import { JobService } from '../plugins/orch-backend/src/service/JobService';
import { LogStreamService } from '../plugins/orch-backend/src/service/LogStreamService';
import { EventBatcher } from '../packages/worker/src/jobs/EventBatcher';
import { StepFolder } from '../packages/worker/src/jobs/StepFolder';
import { executeRunbook } from '../packages/worker/src/runner/executeRunbook';
import { readSse } from '@internal/backstage-plugin-orch-node/testUtils';
import { printTable } from './table';

const ROOT = resolve(__dirname, '..');
const logger: any = {
  info() {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
  debug() {},
  child() {
    return logger;
  },
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function setup() {
  const pg =
    process.env.ORCH_BENCH_POSTGRES_URL ??
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  const dir = mkdtempSync(join(tmpdir(), 'orch-bench-'));
  const knex = pg
    ? knexFactory({ client: 'pg', connection: pg, pool: { min: 2, max: 20 } })
    : knexFactory({
        client: 'better-sqlite3',
        connection: { filename: join(dir, 'orch.sqlite') },
        useNullAsDefault: true,
      });
  if (pg) {
    // A fresh schema per run.
    const schema = `bench_${Date.now()}`;
    await knex.raw(`create schema ${schema}`);
    await knex.raw(`set search_path to ${schema}`);
    knex.client.pool.on('createSuccess', (_: unknown, conn: any) => conn.query(`set search_path to ${schema}`));
  }
  const store = await DatabaseJobStore.fromKnex(knex);
  let redisUrl = process.env.ORCH_REDIS_URL;
  let stopRedis = async () => {};
  if (!redisUrl) {
    const server = await startTestRedisServer();
    redisUrl = server.url;
    stopRedis = server.stop;
  }
  const prefix = `bench-${Date.now()}`;
  return { dir, knex, store, redisUrl, prefix, engine: pg ? 'Postgres' : 'SQLite', stopRedis };
}

let cleanup = async () => {};

async function main() {
  const env = await setup();
  cleanup = env.stopRedis;
  const { store, redisUrl, prefix } = env;
  const redis = createRedisConnection(redisUrl, 'command');
  const catalog = await RunbookCatalog.load({ rootDir: join(ROOT, 'runbooks'), logger });
  await store.syncRunbooks(catalog.list());
  const queue = new JobQueue({ connection: createRedisConnection(redisUrl, 'blocking'), prefix });
  const stream = new JobEventStream({ redis, prefix, maxEntries: 100_000 });
  const connectionStore = await DatabaseConnectionStore.fromKnex(env.knex);
  const secretBox = SecretBox.fromKeys([Buffer.alloc(32, 7)]);
  const factory = new RunbookJobFactory({
    store,
    connections: connectionStore,
    catalog,
    queue,
    secretBox,
    logger,
  });
  const jobs = new JobService({
    store,
    connections: connectionStore,
    catalog,
    queue,
    stream,
    cancels: new CancelSignals(prefix),
    redis,
    secretBox,
    logger,
    factory,
  });
  const app = express();
  app.use(
    '/api/orch',
    await createRouter({
      health: {} as any,
      jobs,
      connections: new ConnectionService({ store: connectionStore, secretBox }),
      // Launches are audited as in production: one row per execute.
      audit: new AuditService({ store: await DatabaseAuditLog.fromKnex(env.knex), logger }),
      logs: new LogStreamService({ store, stream, redis, blockMs: 1000 }),
      store,
      httpAuth: {
        credentials: async () => ({ principal: { type: 'user', userEntityRef: 'user:default/bench' } }),
      } as any,
      permissions: { authorize: async (r: any[]) => r.map(() => ({ result: 'ALLOW' })) } as any,
      artifactsDir: join(env.dir, 'artifacts'),
      maxBodySize: '256kb',
      trustProxyHops: 0,
      // Not on the launch and log paths measured here.
      projects: {} as any,
      auth: {} as any,
      principals: {} as any,
      tokens: {} as any,
      users: {} as any,
      userAdmin: {} as any,
      userInfo: {} as any,
    }),
  );
  const server = app.listen(0);
  await new Promise(r => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as any).port}/api/orch`;

  // --- 1. launch throughput, with a no-op runner draining the queue
  const noop = new Worker(
    ORCH_JOBS_QUEUE,
    async job => {
      const id = job.data.jobId;
      if (await store.claimJob(id, 'noop')) {
        await store.finishJob(id, { status: 'SUCCESS', workerId: 'noop', outputs: {} });
      }
    },
    { connection: createRedisConnection(redisUrl, 'blocking'), prefix, concurrency: 16 },
  );
  const launches = Number(process.env.BENCH_LAUNCHES ?? 2000);
  const concurrency = 32;
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < launches) {
        next++;
        const start = performance.now();
        const r = await fetch(`${base}/v1/runbooks/hello/execute`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ inputs: { message: 'bench' }, environment: 'stage' }),
        });
        await r.arrayBuffer();
        if (r.status !== 202) throw new Error(`execute answered ${r.status}`);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const launchSeconds = (performance.now() - t0) / 1000;
  const launchRate = launches / launchSeconds;
  await noop.close();

  // --- 2. event pipeline: generator → batcher → DB → stream → SSE client
  const totalEvents = Number(process.env.BENCH_EVENTS ?? 100_000);
  const jobId = randomUUID();
  await store.createJob({
    id: jobId,
    runbookName: 'hello',
    runbookVersion: '1',
    environment: 'stage',
    inputs: {},
    createdBy: 'bench',
  });
  await store.claimJob(jobId, 'bench');
  const lags: number[] = [];
  let received = 0;
  let lastReceivedAt = 0;
  const controller = new AbortController();
  const reader = (async () => {
    for await (const m of readSse(`${base}/v1/jobs/${jobId}/logs/stream`, { signal: controller.signal })) {
      if (m.event === 'message') {
        lastReceivedAt = Date.now();
        lags.push(lastReceivedAt - Date.parse(m.data.ts));
        received++;
      }
      if (m.event === 'end') break;
    }
  })();
  // Let the SSE client attach before producing.
  await new Promise(r => setTimeout(r, 300));
  const batcher = new EventBatcher({ jobId, store, stream, folder: new StepFolder(), flushIntervalMs: 50 });
  const e0 = Date.now();
  for (let seq = 1; seq <= totalEvents; seq++) {
    const pending = batcher.add({
      jobId,
      seq,
      ts: new Date().toISOString(),
      level: 'info',
      type: 'runner_on_ok',
      host: 'localhost',
      task: `task ${Math.floor(seq / 100)}`,
      stdout: `ok: [localhost] => line ${seq} of the synthetic event source, about eighty bytes`,
    });
    if (pending) await pending;
  }
  await batcher.close(new Date().toISOString());
  await store.finishJob(jobId, { status: 'SUCCESS', workerId: 'bench', outputs: {} });
  await stream.publish(jobId, { kind: 'end', status: 'SUCCESS' });
  await reader;
  controller.abort();
  const eventRate = received / ((lastReceivedAt - e0) / 1000);

  // --- 3. overhead: 50-task playbook, Orch runner vs plain ansible-runner
  const project = join(env.dir, 'project');
  mkdirSync(join(project, 'playbooks'), { recursive: true });
  mkdirSync(join(project, 'inventory'), { recursive: true });
  const inventory = join(project, 'inventory/hosts.yml');
  writeFileSync(inventory, 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n');
  const tasks = Array.from({ length: 50 }, (_, i) => `    - name: task ${i + 1}\n      ansible.builtin.debug:\n        msg: "task ${i + 1}"\n`).join('');
  writeFileSync(join(project, 'playbooks/fifty.yml'), `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`);
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const plain: number[] = [];
  const orch: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(env.dir, 'plain-'));
    spawnSync('cp', ['-r', project, join(dataDir, 'project')]);
    const p0 = performance.now();
    const r = spawnSync('/usr/bin/ansible-runner', ['run', dataDir, '-p', 'playbooks/fifty.yml', '--ident', `plain${i}`, '--inventory', inventory], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dataDir, LANG: 'C.UTF-8' },
    });
    plain.push(performance.now() - p0);
    if (r.status !== 0) throw new Error(`ansible-runner failed: ${r.stdout}${r.stderr}`);

    const id = randomUUID();
    await store.createJob({ id, runbookName: 'fifty', runbookVersion: '1', environment: 'stage', inputs: {}, createdBy: 'bench' });
    await store.claimJob(id, 'bench');
    const b = new EventBatcher({ jobId: id, store, stream, folder: new StepFolder() });
    const o0 = performance.now();
    const result = await executeRunbook({
      jobId: id,
      projectDir: project,
      playbook: 'playbooks/fifty.yml',
      inventory: undefined,
      extravars: {},
      secrets: {},
      timeoutMs: 600_000,
      dataRoot: join(env.dir, 'data'),
      artifactsRoot: join(env.dir, 'artifacts'),
      redact: v => v,
      onEvent: e =>
        b.add({ jobId: id, seq: e.counter, ts: new Date().toISOString(), level: 'info', type: e.event, stdout: e.stdout }),
    });
    await b.close(new Date().toISOString());
    orch.push(performance.now() - o0);
    if (result.status !== 'successful') throw new Error(`orch run ${result.status}: ${result.error}`);
  }
  const median = (v: number[]) => percentile(v, 50);

  const rows = [
    ['Launch throughput (launches/s)', 'AWX ≈ 1/s (awx#7136)', launchRate.toFixed(0), `${(launchRate / 1).toFixed(0)}×`, '≥ 200/s'],
    ['Launch p99 accept latency (ms)', '—', percentile(latencies, 99).toFixed(1), '', ''],
    ['Event pipeline (events/s)', 'AWX ≈ 1,300/s (awx#9461)', eventRate.toFixed(0), `${(eventRate / 1300).toFixed(1)}×`, '≥ 20,000/s'],
    ['Event p99 end-to-end lag (ms)', '—', percentile(lags, 99).toFixed(0), '', '< 250 ms'],
    ['50-task playbook (s)', `plain ansible-runner ${(median(plain) / 1000).toFixed(2)}`, (median(orch) / 1000).toFixed(2), `${(median(orch) / median(plain)).toFixed(2)}`, 'ratio ≤ 1.10'],
  ];
  console.log(`\njobs benchmark — ${env.engine}, ${launches} launches (concurrency ${concurrency}), ${received}/${totalEvents} events, ${runs} playbook runs each\n`);
  printTable(rows);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/jobs.json'), JSON.stringify({ date: new Date().toISOString(), engine: env.engine, rows }, null, 2));

  server.close();
  await queue.close();
  redis.disconnect();
  await env.knex.destroy();
  await env.stopRedis();
  process.exit(received === totalEvents ? 0 : 1);
}

main().catch(async e => {
  console.error(e);
  // Never leave the private redis-server behind.
  await cleanup().catch(() => {});
  process.exit(1);
});
