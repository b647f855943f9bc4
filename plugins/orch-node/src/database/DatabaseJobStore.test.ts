import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { RunbookDescriptor } from '@internal/backstage-plugin-orch-common';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { orchTestDatabases } from '../testUtils/databases';
import { DatabaseJobStore } from './DatabaseJobStore';
import type { CreateJobOptions } from './types';

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const T0 = new Date('2026-01-01T00:00:00.000Z').getTime();
const at = (ms: number) => new Date(T0 + ms);

const descriptor = (name: string, version = '1.0.0'): RunbookDescriptor => ({
  name,
  version,
  title: `Title ${name}`,
  description: 'd',
  category: 'ops',
  risk: 'low',
  playbook: `playbooks/${name}.yml`,
  connections: [],
  environments: ['prod'],
  timeoutSeconds: 60,
  inputs: { type: 'object', properties: { a: { type: 'string' } } },
});

describe.each(databases.eachSupportedId())('DatabaseJobStore (%s)', id => {
  let knex: Knex;
  let store: DatabaseJobStore;

  const newJob = (overrides: Partial<CreateJobOptions> = {}) =>
    store.createJob({
      id: randomUUID(),
      runbookName: 'hello',
      runbookVersion: '1.0.0',
      environment: 'prod',
      inputs: { name: 'world' },
      createdBy: 'user:default/alice',
      ...overrides,
    });

  const running = async (workerId = 'w1', now = at(0)) => {
    const job = await newJob({ secretsEncrypted: 'cipher' });
    await store.claimJob(job.id, workerId, now);
    return job.id;
  };

  beforeAll(async () => {
    knex = await databases.init(id);
    const database = mockServices.database({ knex, migrations: {} });
    store = await DatabaseJobStore.create({ database });
  });

  afterEach(async () => {
    for (const table of ['job_events', 'job_steps', 'jobs', 'runbooks']) {
      await knex(table).del();
    }
  });

  it('keeps project installs: kind, project, manifest, children in step order, steps naming their child', async () => {
    const manifest = { metadata: { name: 'shop' }, spec: { steps: [{ id: 'a' }] } };
    const parent = await newJob({
      kind: 'project',
      runbookName: 'shop',
      project: { name: 'shop', repository: 'acme/shop', ref: 'v1' },
      projectManifest: manifest,
      now: at(0),
    });
    expect(parent).toMatchObject({ kind: 'project', project: { name: 'shop', repository: 'acme/shop', ref: 'v1' } });
    const second = await newJob({ parentJobId: parent.id, stepIndex: 1, project: { name: 'shop' }, now: at(2) });
    const first = await newJob({ parentJobId: parent.id, stepIndex: 0, project: { name: 'shop' }, now: at(1) });
    const plain = await newJob({ now: at(3) });
    expect(plain.kind).toBeUndefined();

    expect(await store.getProjectManifest(parent.id)).toEqual(manifest);
    expect(await store.getProjectManifest(plain.id)).toBeUndefined();
    expect((await store.listChildren(parent.id)).map(c => [c.id, c.stepIndex])).toEqual([
      [first.id, 0],
      [second.id, 1],
    ]);
    expect(await store.listIdsByStatus('PENDING', 10, 'project')).toEqual([parent.id]);
    expect((await store.listIdsByStatus('PENDING', 10, 'runbook')).sort()).toEqual(
      [first.id, second.id, plain.id].sort(),
    );
    const projects = await store.listJobs({ kind: 'project' }, { limit: 10 });
    expect(projects.items.map(j => j.id)).toEqual([parent.id]);
    // The manifest is not part of a job as listed.
    expect(JSON.stringify(projects.items)).not.toContain('spec');

    await store.upsertSteps(parent.id, [
      { index: 1, play: 'install', task: 'a', status: 'ok', hosts: {}, startedAt: at(1).toISOString(), firstSeq: 1, childJobId: first.id },
    ]);
    expect((await store.listSteps(parent.id))[0].childJobId).toBe(first.id);
  });

  it('syncs runbooks, keeping enabled and never deleting', async () => {
    await store.syncRunbooks([descriptor('b'), descriptor('a')]);
    expect(await store.setRunbookEnabled('a', false)).toBe(true);
    expect(await store.setRunbookEnabled('nope', false)).toBe(false);
    await store.syncRunbooks([descriptor('a', '2.0.0')]);

    const list = await store.listRunbooks();
    expect(list.map(r => [r.name, r.version, r.enabled])).toEqual([
      ['a', '2.0.0', false],
      ['b', '1.0.0', true],
    ]);
    expect(await store.getRunbook('b')).toEqual({
      ...descriptor('b'),
      enabled: true,
    });
    expect(await store.getRunbook('nope')).toBeUndefined();
    const row = await knex('runbooks').where('name', 'a').first();
    expect(JSON.parse(row.schema_json)).toEqual(descriptor('a').inputs);
  });

  it('creates and reads a job with ISO timestamps', async () => {
    const now = new Date('2026-03-04T05:06:07.089Z');
    const created = await newJob({
      id: 'job-1',
      secretsEncrypted: 'cipher',
      connections: ['c1'],
      parentJobId: 'parent',
      now,
    });
    const expected = {
      id: 'job-1',
      runbookName: 'hello',
      runbookVersion: '1.0.0',
      status: 'PENDING',
      environment: 'prod',
      inputs: { name: 'world' },
      createdBy: 'user:default/alice',
      createdAt: '2026-03-04T05:06:07.089Z',
      attempt: 0,
      connections: ['c1'],
      parentJobId: 'parent',
      cancelRequested: false,
    };
    expect(created).toStrictEqual(expected);
    expect(await store.getJob('job-1')).toStrictEqual(expected);
    expect(await store.getJobSecrets('job-1')).toBe('cipher');
    expect(await store.getJob('nope')).toBeUndefined();
    expect(await store.getJobSecrets('nope')).toBeUndefined();

    // The timestamp strategy: timestamptz on Postgres, epoch ms on SQLite.
    const raw = await knex('jobs').where('id', 'job-1').first();
    expect(raw.created_at).toEqual(
      id.startsWith('POSTGRES') ? now : now.getTime(),
    );
  });

  it('lists jobs with every filter', async () => {
    const a = await newJob({ now: at(1) });
    const b = await newJob({ now: at(2), runbookName: 'other' });
    const c = await newJob({ now: at(3), environment: 'stage' });
    const d = await newJob({ now: at(4), createdBy: 'user:default/bob' });
    const e = await newJob({ now: at(5), parentJobId: a.id });
    await store.claimJob(b.id, 'w1');
    const ids = async (filter: object) =>
      (await store.listJobs(filter, { limit: 50 })).items.map(j => j.id);

    expect(await ids({})).toEqual([e.id, d.id, c.id, b.id, a.id]);
    expect(await ids({ status: ['RUNNING'] })).toEqual([b.id]);
    expect(await ids({ status: ['RUNNING', 'PENDING'] })).toHaveLength(5);
    expect(await ids({ status: [] })).toHaveLength(5);
    expect(await ids({ runbook: 'other' })).toEqual([b.id]);
    expect(await ids({ environment: 'stage' })).toEqual([c.id]);
    expect(await ids({ createdBy: 'user:default/bob' })).toEqual([d.id]);
    expect(await ids({ parentJobId: a.id })).toEqual([e.id]);
    expect(await ids({ runbook: 'hello', status: ['PENDING'] })).toEqual([
      e.id,
      d.id,
      c.id,
      a.id,
    ]);
    expect(await ids({ runbook: 'other', environment: 'stage' })).toEqual([]);
  });

  it('pages newest first, stable while jobs are added', async () => {
    // Groups of three jobs share a created_at, so the id breaks the ties.
    for (let i = 0; i < 25; i++) {
      await newJob({ now: at(Math.floor(i / 3) * 1000) });
    }
    const all = (await store.listJobs({}, { limit: 100 })).items;
    const expected = [...all]
      .sort((x, y) =>
        x.createdAt === y.createdAt
          ? y.id.localeCompare(x.id)
          : y.createdAt.localeCompare(x.createdAt),
      )
      .map(j => j.id);
    expect(all.map(j => j.id)).toEqual(expected);

    const p1 = await store.listJobs({}, { limit: 10 });
    const p2 = await store.listJobs({}, { limit: 10, cursor: p1.nextCursor });
    const p3 = await store.listJobs({}, { limit: 10, cursor: p2.nextCursor });
    expect([p1, p2, p3].map(p => p.items.length)).toEqual([10, 10, 5]);
    expect(p3.nextCursor).toBeUndefined();
    const union = [...p1.items, ...p2.items, ...p3.items].map(j => j.id);
    expect(union).toEqual(expected);
    expect(new Set(union).size).toBe(25);

    for (let i = 0; i < 5; i++) await newJob({ now: at(100_000 + i) });
    const again2 = await store.listJobs(
      {},
      { limit: 10, cursor: p1.nextCursor },
    );
    const again3 = await store.listJobs(
      {},
      { limit: 10, cursor: again2.nextCursor },
    );
    expect(again2.items.map(j => j.id)).toEqual(p2.items.map(j => j.id));
    expect(again3.items.map(j => j.id)).toEqual(p3.items.map(j => j.id));
    expect((await store.listJobs({}, { limit: 5 })).items[0].createdAt).toBe(
      at(100_004).toISOString(),
    );
  });

  it('rejects a bad cursor or limit with InputError', async () => {
    const b64 = (v: unknown) =>
      Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const cursor of [
      '',
      '!!!',
      'bm90IGpzb24',
      b64({}),
      b64(['x', 'y']),
      b64([1, 'y']),
      b64(['2026-01-01T00:00:00.000Z']),
    ]) {
      await expect(store.listJobs({}, { limit: 10, cursor })).rejects.toThrow(
        InputError,
      );
    }
    await expect(store.listJobs({}, { limit: 0 })).rejects.toThrow(InputError);
  });

  it('lets exactly one of two concurrent claims win', async () => {
    for (let i = 0; i < 10; i++) {
      const job = await newJob();
      const results = await Promise.all([
        store.claimJob(job.id, 'w1', at(10)),
        store.claimJob(job.id, 'w2', at(10)),
      ]);
      const winners = results.filter(r => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({
        status: 'RUNNING',
        attempt: 1,
        startedAt: at(10).toISOString(),
        heartbeatAt: at(10).toISOString(),
      });
      expect((await store.getJob(job.id))?.worker).toBe(winners[0]!.worker);
    }
  });

  it('heartbeats only for the owning worker of a running job', async () => {
    const jobId = await running('w1');
    expect(await store.heartbeat(jobId, 'w2', at(5))).toBe(false);
    expect(await store.heartbeat(jobId, 'w1', at(7))).toBe(true);
    expect((await store.getJob(jobId))?.heartbeatAt).toBe(at(7).toISOString());
    await store.finishJob(jobId, { status: 'SUCCESS' });
    expect(await store.heartbeat(jobId, 'w1', at(9))).toBe(false);
    expect(await store.heartbeat('nope', 'w1')).toBe(false);
  });

  it('finishes running jobs once and never changes a final job', async () => {
    const jobId = await running('w1');
    const finish = { status: 'SUCCESS', outputs: { x: 1 }, rc: 0 } as const;
    expect(await store.finishJob(jobId, { ...finish, workerId: 'w2' })).toBe(
      false,
    );
    expect(
      await store.finishJob(jobId, { ...finish, workerId: 'w1', now: at(9) }),
    ).toBe(true);
    expect(await store.getJob(jobId)).toMatchObject({
      status: 'SUCCESS',
      outputs: { x: 1 },
      rc: 0,
      finishedAt: at(9).toISOString(),
    });
    expect(await store.getJobSecrets(jobId)).toBeUndefined();
    expect(await store.finishJob(jobId, { status: 'SUCCESS' })).toBe(false);
    expect(
      await store.finishJob(jobId, { status: 'ERROR', error: 'late' }),
    ).toBe(false);
    expect(await store.finishJob(jobId, { status: 'CANCELED' })).toBe(false);
    expect((await store.getJob(jobId))?.status).toBe('SUCCESS');

    const failed = await running('w1');
    expect(
      await store.finishJob(failed, { status: 'ERROR', error: 'boom', rc: 2 }),
    ).toBe(true);
    expect(await store.getJob(failed)).toMatchObject({ error: 'boom', rc: 2 });

    const pending = await newJob({ secretsEncrypted: 'c' });
    expect(await store.finishJob(pending.id, { status: 'SUCCESS' })).toBe(
      false,
    );
    expect(await store.finishJob(pending.id, { status: 'CANCELED' })).toBe(
      true,
    );
    expect((await store.getJob(pending.id))?.status).toBe('CANCELED');
    expect(await store.getJobSecrets(pending.id)).toBeUndefined();
    expect(await store.finishJob('nope', { status: 'CANCELED' })).toBe(false);
  });

  it('cancels per state', async () => {
    const pending = await newJob({ secretsEncrypted: 'c' });
    const r1 = await store.requestCancel(pending.id, at(3));
    expect(r1?.immediate).toBe(true);
    expect(r1?.job).toMatchObject({
      status: 'CANCELED',
      finishedAt: at(3).toISOString(),
    });
    expect(await store.getJobSecrets(pending.id)).toBeUndefined();

    const run = await running('w1');
    const r2 = await store.requestCancel(run, at(4));
    expect(r2?.immediate).toBe(false);
    expect(r2?.job).toMatchObject({ status: 'RUNNING', cancelRequested: true });
    expect(r2?.job.finishedAt).toBeUndefined();

    await store.finishJob(run, { status: 'CANCELED' });
    const before = await store.getJob(run);
    const r3 = await store.requestCancel(run, at(5));
    expect(r3).toEqual({ job: before, immediate: false });

    const done = await running('w1');
    await store.finishJob(done, { status: 'SUCCESS' });
    const r4 = await store.requestCancel(done);
    expect(r4?.job).toMatchObject({
      status: 'SUCCESS',
      cancelRequested: false,
    });
    expect(await store.requestCancel('nope')).toBeUndefined();
  });

  it('releases a running job back to pending for its worker only', async () => {
    const jobId = await running('w1', at(1));
    expect(await store.releaseJob(jobId, 'w2')).toBe(false);
    expect(await store.releaseJob(jobId, 'w1')).toBe(true);
    const released = await store.getJob(jobId);
    expect(released).toMatchObject({ status: 'PENDING', attempt: 1 });
    expect(released?.worker).toBeUndefined();
    expect(released?.heartbeatAt).toBeUndefined();
    expect(await store.getJobSecrets(jobId)).toBe('cipher');
    expect(await store.releaseJob(jobId, 'w1')).toBe(false);

    const again = await store.claimJob(jobId, 'w2', at(50));
    expect(again).toMatchObject({
      attempt: 2,
      worker: 'w2',
      startedAt: at(1).toISOString(),
      heartbeatAt: at(50).toISOString(),
    });
  });

  it('finds stale running jobs and lists ids by status', async () => {
    const old1 = await running('w1', at(1000));
    const old2 = await running('w2', at(2000));
    const fresh = await running('w1', at(3000));
    await newJob();
    expect((await store.findStaleRunning(at(2500))).map(j => j.id)).toEqual([
      old1,
      old2,
    ]);
    expect((await store.findStaleRunning(at(2000))).map(j => j.id)).toEqual([
      old1,
    ]);
    expect(await store.findStaleRunning(at(5000), 2)).toHaveLength(2);
    await store.heartbeat(old1, 'w1', at(4000));
    expect((await store.findStaleRunning(at(2500))).map(j => j.id)).toEqual([
      old2,
    ]);

    const p1 = await newJob({ now: at(-2) });
    const p2 = await newJob({ now: at(-1) });
    const pendingIds = await store.listIdsByStatus('PENDING', 2);
    expect(pendingIds).toEqual([p1.id, p2.id]);
    expect(await store.listIdsByStatus('RUNNING', 10)).toHaveLength(3);
    expect(await store.listIdsByStatus('RUNNING', 10)).toContain(fresh);
  });
});
