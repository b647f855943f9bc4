import { mockServices } from '@backstage/backend-test-utils';
import type { JobEvent } from '@internal/backstage-plugin-orch-common';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { orchTestDatabases } from '../testUtils/databases';
import { DatabaseJobStore } from './DatabaseJobStore';

// The events and steps half of the job store, through its public class.

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const T0 = new Date('2026-01-01T00:00:00.000Z').getTime();
const at = (ms: number) => new Date(T0 + ms);

const event = (jobId: string, seq: number, extra?: Partial<JobEvent>) =>
  ({
    jobId,
    seq,
    ts: at(seq).toISOString(),
    level: 'info',
    type: 'runner_on_ok',
    stdout: `line ${seq}`,
    ...extra,
  } as JobEvent);

describe.each(databases.eachSupportedId())('JobEventLog (%s)', id => {
  let knex: Knex;
  let store: DatabaseJobStore;

  const newJob = () =>
    store.createJob({
      id: randomUUID(),
      runbookName: 'hello',
      runbookVersion: '1.0.0',
      environment: 'prod',
      inputs: {},
      createdBy: 'user:default/alice',
    });

  beforeAll(async () => {
    knex = await databases.init(id);
    const database = mockServices.database({ knex, migrations: {} });
    store = await DatabaseJobStore.create({ database });
  });

  afterEach(async () => {
    for (const table of ['job_events', 'job_steps', 'jobs']) {
      await knex(table).del();
    }
  });

  it('inserts events idempotently and in large batches', async () => {
    const { id: jobId } = await newJob();
    expect(await store.maxEventSeq(jobId)).toBe(0);
    expect(await store.countEvents(jobId)).toBe(0);
    const batch = Array.from({ length: 300 }, (_, i) => event(jobId, i + 1));
    await store.insertEvents(batch);
    await store.insertEvents(batch);
    await store.insertEvents([event(jobId, 1, { stdout: 'changed' })]);
    expect(await store.countEvents(jobId)).toBe(300);
    const first = (await store.listEvents(jobId, { limit: 1 })).items[0];
    expect(first).toEqual(event(jobId, 1));

    const { id: bigJob } = await newJob();
    for (let start = 0; start < 5000; start += 500) {
      await store.insertEvents(
        Array.from({ length: 500 }, (_, i) => event(bigJob, start + i + 1)),
      );
    }
    expect(await store.countEvents(bigJob)).toBe(5000);
    expect(await store.maxEventSeq(bigJob)).toBe(5000);

    // One call larger than a statement: split, in one transaction.
    const { id: hugeJob } = await newJob();
    const huge = Array.from({ length: 6001 }, (_, i) => event(hugeJob, i + 1));
    await store.insertEvents([...huge, huge[0], huge[6000]]);
    expect(await store.countEvents(hugeJob)).toBe(6001);
    expect(await store.countEvents(bigJob)).toBe(5000);
  });

  it('keeps every value of an event exactly', async () => {
    const { id: jobId } = await newJob();
    const odd = [
      'quote " and \' and {braces}, commas',
      'back\\slash \\" NULL',
      'NULL',
      'unicode ✓ 日本語 🚀\nnew line\ttab',
      '',
    ];
    const events = odd.map((text, i) =>
      event(jobId, i + 1, {
        stdout: text,
        task: text || undefined,
        host: text || undefined,
        data: { text, nested: [null, 1.5, { ok: true }] },
      }),
    );
    events.push(event(jobId, 99, { level: 'error', type: 'runner_on_failed' }));
    await store.insertEvents(events);
    expect((await store.listEvents(jobId, { limit: 10 })).items).toEqual(
      events,
    );
  });

  it('lists events by page and searches them literally', async () => {
    const { id: jobId } = await newJob();
    const texts = ['100% done', 'a_b', 'aXb', 'path\\to', 'Hello WORLD', 'x'];
    await store.insertEvents([
      ...Array.from({ length: 25 }, (_, i) => event(jobId, i + 1)),
      ...texts.map((stdout, i) => event(jobId, 100 + i, { stdout })),
      event(jobId, 200, {
        stdout: '',
        task: 'Install NGINX',
        host: 'web1',
        level: 'warning',
        data: { changed: true },
      }),
    ]);
    const p1 = await store.listEvents(jobId, { limit: 10 });
    const p2 = await store.listEvents(jobId, {
      limit: 10,
      after: p1.nextAfter,
    });
    expect(p1.items.map(e => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(p1.nextAfter).toBe(10);
    expect(p2.items[0].seq).toBe(11);
    const tail = await store.listEvents(jobId, { limit: 10, after: 105 });
    expect(tail.items.map(e => e.seq)).toEqual([200]);
    expect(tail.nextAfter).toBeUndefined();
    expect(tail.items[0]).toEqual(
      event(jobId, 200, {
        stdout: '',
        task: 'Install NGINX',
        host: 'web1',
        level: 'warning',
        data: { changed: true },
      }),
    );

    const search = async (q: string) =>
      (await store.listEvents(jobId, { limit: 50, q })).items.map(
        e => e.stdout || e.task,
      );
    expect(await search('%')).toEqual(['100% done']);
    expect(await search('_')).toEqual(['a_b']);
    expect(await search('\\')).toEqual(['path\\to']);
    expect(await search('hello world')).toEqual(['Hello WORLD']);
    expect(await search('nginx')).toEqual(['Install NGINX']);
    expect(await search('line 2')).toHaveLength(7);
    const q1 = await store.listEvents(jobId, { limit: 3, q: 'line 2' });
    const q2 = await store.listEvents(jobId, {
      limit: 10,
      q: 'line 2',
      after: q1.nextAfter,
    });
    expect([...q1.items, ...q2.items].map(e => e.seq)).toEqual([
      2, 20, 21, 22, 23, 24, 25,
    ]);
  });

  it('bounds a page or a search to a window with before', async () => {
    const { id: jobId } = await newJob();
    await store.insertEvents(
      Array.from({ length: 40 }, (_, i) => event(jobId, i + 1)),
    );
    const window = await store.listEvents(jobId, {
      after: 10,
      before: 15,
      limit: 10,
    });
    expect(window.items.map(e => e.seq)).toEqual([11, 12, 13, 14]);
    expect(window.nextAfter).toBeUndefined();
    const paged = await store.listEvents(jobId, {
      after: 10,
      before: 15,
      limit: 2,
    });
    expect(paged.items.map(e => e.seq)).toEqual([11, 12]);
    expect(paged.nextAfter).toBe(12);
    // 'line 3' matches 3 and 30..39: the window keeps 30..34.
    const search = await store.listEvents(jobId, {
      q: 'LINE 3',
      after: 20,
      before: 35,
      limit: 50,
    });
    expect(search.items.map(e => e.seq)).toEqual([30, 31, 32, 33, 34]);
    expect(
      (await store.listEvents(jobId, { before: 1, limit: 10 })).items,
    ).toEqual([]);
  });

  it('upserts and lists steps', async () => {
    const { id: jobId } = await newJob();
    const step = (index: number, extra = {}) => ({
      index,
      play: 'Play',
      task: `Task ${index}`,
      status: 'running' as const,
      hosts: {},
      startedAt: at(index).toISOString(),
      firstSeq: index * 10,
      ...extra,
    });
    await store.upsertSteps(jobId, [step(2), step(1)]);
    const done = step(1, {
      status: 'changed',
      hosts: { web1: { status: 'changed', message: 'ok' } },
      finishedAt: at(99).toISOString(),
    });
    await store.upsertSteps(jobId, [done, step(3)]);
    expect(await store.listSteps(jobId)).toEqual([done, step(2), step(3)]);
    expect(await store.listSteps('nope')).toEqual([]);
  });
});
