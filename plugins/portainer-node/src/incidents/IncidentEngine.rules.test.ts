/*
 * The rules on events as Docker sends them, without waiting for containers:
 * the real store on SQLite and Postgres, and a ContextCollector written for
 * the test (the engine's own injection point, not a stand-in for dockerode;
 * IncidentEngine.test.ts runs the same rules on the real dockerd).
 */
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import type { Knex } from 'knex';
import { DatabaseIncidentStore } from '../database/DatabaseIncidentStore';
import type { DockerEvent } from '../events/types';
import type { ContextCollector } from './ContextCollector';
import { IncidentEngine } from './IncidentEngine';
import type { IncidentStore } from './types';

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const T0 = 1_795_656_974_000_000_000n;
let seq = 0;

function event(action: string, extra: Partial<DockerEvent> = {}): DockerEvent {
  seq++;
  const timeNano = (T0 + BigInt(seq) * 1_000_000n).toString();
  return {
    endpointId: 'local',
    time: new Date(Number(BigInt(timeNano) / 1_000_000n)).toISOString(),
    timeNano,
    type: 'container',
    action,
    rawAction: action,
    actorId: 'c1',
    containerId: 'c1',
    containerName: 'web',
    labels: {},
    ...extra,
  };
}

class TestCollector implements ContextCollector {
  oomKilled = false;
  async collect() {
    return {
      capturedAt: new Date().toISOString(),
      logs: [{ stream: 'stderr' as const, line: 'boom' }],
      relatedJobIds: ['from-labels'],
    };
  }
  async wasOomKilled() {
    return this.oomKilled;
  }
  async probe() {
    return 'unknown' as const;
  }
}

describe.each(databases.eachSupportedId())('IncidentEngine rules (%s)', db => {
  let knex: Knex;
  let store: DatabaseIncidentStore;
  let collector: TestCollector;
  let engine: IncidentEngine;

  beforeAll(async () => {
    knex = await databases.init(db);
    store = await DatabaseIncidentStore.fromKnex(knex);
  });

  beforeEach(() => {
    collector = new TestCollector();
    engine = new IncidentEngine({
      store,
      collectors: () => collector,
      relatedJobs: async () => ['from-store', 'from-labels'],
      onOpened: () => {
        throw new Error('notification service down');
      },
    });
  });

  afterEach(async () => {
    await knex('incident_timeline').del();
    await knex('incidents').del();
    await knex('docker_events').del();
  });

  it('opens on a non-zero exit even when onOpened fails, and merges related jobs', async () => {
    const outcome = await engine.handle(event('die', { exitCode: 1 }));
    expect(outcome.kind).toBe('opened');
    const [incident] = (await store.listIncidents({}, { limit: 10 })).items;
    expect(
      (await store.getIncident(incident.id))?.context?.relatedJobIds,
    ).toEqual(['from-labels', 'from-store']);
  });

  it('ignores clean exits and stops, and knows a replay', async () => {
    const clean = event('die', { exitCode: 0 });
    expect(await engine.handle(clean)).toEqual({ kind: 'stored' });
    expect(await engine.handle(clean)).toEqual({ kind: 'duplicate' });
    await engine.handle(event('kill', { signal: '15' }));
    expect(await engine.handle(event('die', { exitCode: 143 }))).toEqual({
      kind: 'stored',
    });
    // A signal that does not stop (SIGUSR1) does not excuse the next exit.
    await engine.handle(event('start'));
    await engine.handle(event('kill', { signal: '10' }));
    expect((await engine.handle(event('die', { exitCode: 2 }))).kind).toBe(
      'opened',
    );
  });

  it('takes a die 137 of an OOM-killed container for an oom', async () => {
    collector.oomKilled = true;
    const outcome = await engine.handle(event('die', { exitCode: 137 }));
    expect(outcome).toMatchObject({
      kind: 'opened',
      incident: { reason: 'oom', exitCode: 137 },
    });
  });

  it('notes health coming back and explicit restarts on the open incident', async () => {
    await engine.handle(
      event('health_status', {
        rawAction: 'health_status: unhealthy',
        health: 'unhealthy',
      }),
    );
    const back = await engine.handle(
      event('health_status', {
        rawAction: 'health_status: healthy',
        health: 'healthy',
      }),
    );
    expect(back.kind).toBe('noted');
    expect((await engine.handle(event('restart'))).kind).toBe('noted');
    const [incident] = (await store.listIncidents({}, { limit: 10 })).items;
    expect(
      (await store.listTimeline(incident.id)).map(t => [t.kind, t.detail]),
    ).toEqual([
      ['opened', 'Container web became unhealthy'],
      ['event', 'Container web became healthy again'],
      ['event', 'Container web was restarted'],
    ]);
  });

  it('opens one incident per service and task failure class, with the task errors as evidence, and keeps the resume point', async () => {
    await engine.handle(event('die', { exitCode: 0 }));
    const resumeAt = await store.lastEventTime('local');
    const task = (
      id: string,
      reason: string,
      state: string,
      error: string,
    ): DockerEvent =>
      event('task_failure', {
        type: 'task',
        rawAction: `task_failure: ${reason}`,
        actorId: id,
        containerId: undefined,
        containerName: undefined,
        serviceName: 'api',
        task: { state, error, slot: '1', errors: [error] },
      });
    const first = await engine.handle(
      task('t1', 'image_not_found', 'rejected', 'No such image: x:1'),
    );
    expect(first).toMatchObject({
      kind: 'opened',
      incident: {
        subjectKind: 'service',
        subject: 'api',
        reason: 'image_not_found',
      },
    });
    expect(
      (
        await engine.handle(
          task('t2', 'image_not_found', 'rejected', 'No such image: x:1'),
        )
      ).kind,
    ).toBe('recurred');
    expect(
      (
        await engine.handle(
          task(
            't3',
            'no_suitable_node',
            'pending',
            'no suitable node (1 node)',
          ),
        )
      ).kind,
    ).toBe('opened');
    // A class the engine does not know changes nothing.
    expect(await engine.handle(task('t4', 'sleepy', 'pending', 'zzz'))).toEqual(
      { kind: 'stored' },
    );

    const { items } = await store.listIncidents({}, { limit: 10 });
    expect(items.map(i => [i.reason, i.count]).sort()).toEqual([
      ['image_not_found', 2],
      ['no_suitable_node', 1],
    ]);
    const opened = items.find(i => i.reason === 'image_not_found')!;
    expect((await store.getIncident(opened.id))?.context?.taskErrors).toEqual([
      'No such image: x:1',
    ]);
    expect((await store.listTimeline(opened.id)).map(t => t.detail)).toEqual([
      'Service api (task in slot 1) was rejected: No such image: x:1',
      'Service api (task in slot 1) was rejected: No such image: x:1',
    ]);
    // Orch's own events never move where the watcher resumes.
    expect(await store.lastEventTime('local')).toBe(resumeAt);
  });

  it('reports rules that keep failing, after retries, without throwing', async () => {
    const failing: IncidentStore = Object.create(store);
    failing.findActive = async () => {
      throw new Error('database gone');
    };
    const fragile = new IncidentEngine({
      store: failing,
      collectors: () => collector,
    });
    const outcome = await fragile.handle(event('die', { exitCode: 1 }));
    expect(outcome).toEqual({ kind: 'failed', error: 'database gone' });
    expect(await store.countEvents()).toBe(1);
  });
});
