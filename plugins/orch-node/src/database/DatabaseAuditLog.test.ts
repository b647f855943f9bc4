import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { orchTestDatabases } from '../testUtils/databases';
import { DatabaseAuditLog } from './DatabaseAuditLog';
import { DatabaseJobStore } from './DatabaseJobStore';

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const T0 = new Date('2020-01-01T00:00:00.000Z').getTime();
const at = (ms: number) => new Date(T0 + ms);

describe.each(databases.eachSupportedId())('DatabaseAuditLog (%s)', id => {
  let knex: Knex;
  let log: DatabaseAuditLog;

  beforeAll(async () => {
    knex = await databases.init(id);
    // The job store runs the package's migrations, audit_log included.
    await DatabaseJobStore.fromKnex(knex);
    log = await DatabaseAuditLog.fromKnex(knex);
  });

  afterEach(async () => {
    await knex('audit_log').del();
  });

  const seed = async () => {
    await log.append({
      actor: 'user:default/alice',
      action: 'runbook.execute',
      targetType: 'runbook',
      targetId: 'hello',
      outcome: 'success',
      client: '10.0.0.1 curl/8',
      metadata: { jobId: 'j1', nested: { n: 1 } },
      ts: at(1000),
    });
    await log.append({
      actor: 'user:default/bob',
      action: 'job.cancel',
      targetType: 'job',
      targetId: 'j1',
      outcome: 'denied',
      ts: at(2000),
    });
    await log.append({
      actor: 'user:default/alice',
      action: 'auth.login',
      outcome: 'failure',
      ts: at(3000),
    });
  };

  it('appends and reads back every field, newest first', async () => {
    const appended = await log.append({
      actor: 'user:default/alice',
      action: 'runbook.execute',
      targetType: 'runbook',
      targetId: 'hello',
      outcome: 'success',
      client: 'x'.repeat(300),
      metadata: { jobId: 'j1' },
      ts: at(1234),
    });
    expect(appended).toEqual({
      id: expect.stringMatching(/^\d+$/),
      actor: 'user:default/alice',
      action: 'runbook.execute',
      targetType: 'runbook',
      targetId: 'hello',
      outcome: 'success',
      client: 'x'.repeat(200),
      metadata: { jobId: 'j1' },
      ts: '2020-01-01T00:00:01.234Z',
    });
    const minimal = await log.append({
      actor: 'user:default/bob',
      action: 'auth.logout',
      outcome: 'success',
    });
    expect(Object.keys(minimal).sort()).toEqual(
      ['action', 'actor', 'id', 'outcome', 'ts'].sort(),
    );
    const { items, nextCursor } = await log.list({}, { limit: 10 });
    expect(items).toEqual([minimal, appended]);
    expect(nextCursor).toBeUndefined();
  });

  it('filters by actor, action, target and date range', async () => {
    await seed();
    const actions = async (filter: Parameters<DatabaseAuditLog['list']>[0]) =>
      (await log.list(filter, { limit: 10 })).items.map(e => e.action);

    expect(await actions({})).toEqual([
      'auth.login',
      'job.cancel',
      'runbook.execute',
    ]);
    expect(await actions({ actor: 'user:default/alice' })).toEqual([
      'auth.login',
      'runbook.execute',
    ]);
    expect(await actions({ action: 'job.cancel' })).toEqual(['job.cancel']);
    expect(await actions({ targetType: 'job' })).toEqual(['job.cancel']);
    expect(await actions({ targetType: 'runbook', targetId: 'hello' })).toEqual(
      ['runbook.execute'],
    );
    expect(await actions({ targetId: 'nope' })).toEqual([]);
    // from inclusive, to exclusive.
    expect(await actions({ from: at(2000) })).toEqual([
      'auth.login',
      'job.cancel',
    ]);
    expect(await actions({ to: at(2000) })).toEqual(['runbook.execute']);
    expect(await actions({ from: at(1500), to: at(3000) })).toEqual([
      'job.cancel',
    ]);
    expect(
      await actions({ actor: 'user:default/alice', from: at(2000) }),
    ).toEqual(['auth.login']);
  });

  it('pages newest first with a stable cursor, ties broken by id', async () => {
    // Five entries share a timestamp; the id orders them.
    const appended = [];
    for (let i = 0; i < 7; i++) {
      appended.push(
        await log.append({
          actor: 'user:default/alice',
          action: 'job.relaunch',
          targetId: `j${i}`,
          outcome: 'success',
          ts: i < 5 ? at(5000) : at(5000 + i),
        }),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await log.list({}, { cursor, limit: 3 });
      seen.push(...page.items.map(e => e.targetId!));
      // An entry written after the first page does not shift later pages.
      if (pages === 0) {
        await log.append({
          actor: 'user:default/bob',
          action: 'auth.login',
          outcome: 'success',
          ts: at(9000),
        });
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['j6', 'j5', 'j4', 'j3', 'j2', 'j1', 'j0']);
    expect(Number(appended[4].id)).toBeGreaterThan(Number(appended[0].id));
  });

  it('rejects a bad cursor and a bad limit', async () => {
    await seed();
    for (const cursor of [
      '%%%',
      'bm90LWpzb24',
      'WyJ4Il0',
      'WyIyMDI2IiwiYWJjIl0',
    ]) {
      await expect(log.list({}, { cursor, limit: 2 })).rejects.toThrow(
        InputError,
      );
    }
    await expect(log.list({}, { limit: 0 })).rejects.toThrow(InputError);
  });

  it('has no way to change or remove an entry', () => {
    const methods = Object.getOwnPropertyNames(DatabaseAuditLog.prototype);
    expect(methods.sort()).toEqual(['append', 'constructor', 'list']);
  });
});
