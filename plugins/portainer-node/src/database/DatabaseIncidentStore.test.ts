import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import type { Knex } from 'knex';
import type { DockerEvent } from '../events/types';
import type {
  IncidentListResult,
  IncidentSubject,
  NewIncident,
} from '../incidents/types';
import { DatabaseIncidentStore } from './DatabaseIncidentStore';

jest.setTimeout(60_000);

const databases = orchTestDatabases();
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const nano = (s: number, extra = 0) =>
  (BigInt(T0 + s * 1000) * 1_000_000n + BigInt(extra)).toString();

function event(overrides: Partial<DockerEvent> = {}): DockerEvent {
  return {
    endpointId: 'local',
    time: new Date(T0).toISOString(),
    timeNano: nano(0, 123),
    type: 'container',
    action: 'die',
    rawAction: 'die',
    actorId: 'c1',
    containerId: 'c1',
    containerName: 'web',
    exitCode: 3,
    labels: { 'orch.job.id': 'j1', 'app.db.password': 'hunter22' },
    ...overrides,
  };
}

const web: IncidentSubject = {
  endpointId: 'local',
  kind: 'container',
  name: 'web',
  containerId: 'c1',
  containerName: 'web',
  stack: 'shop',
};

function opening(overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    subject: web,
    reason: 'die',
    at: at(0),
    exitCode: 3,
    context: {
      capturedAt: at(0).toISOString(),
      logs: [{ stream: 'stderr', line: 'boom' }],
      relatedJobIds: ['j1'],
    },
    detail: 'Container web exited with code 3',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseIncidentStore (%s)', id => {
  let knex: Knex;
  let store: DatabaseIncidentStore;

  beforeAll(async () => {
    knex = await databases.init(id);
    store = await DatabaseIncidentStore.fromKnex(knex);
  });

  afterEach(async () => {
    await knex('incident_timeline').del();
    await knex('incidents').del();
    await knex('docker_events').del();
  });

  describe('events', () => {
    it('stores an event once, whoever delivers it again', async () => {
      expect(await store.recordEvent(event())).toBe(true);
      expect(await store.recordEvent(event())).toBe(false);
      // Same instant, other action or actor: another event.
      expect(
        await store.recordEvent(event({ rawAction: 'oom', action: 'oom' })),
      ).toBe(true);
      expect(
        await store.recordEvent(event({ actorId: 'c2', containerId: 'c2' })),
      ).toBe(true);
      expect(await store.countEvents()).toBe(3);
    });

    it('stores a batch in one go and says which events were new', async () => {
      await store.recordEvent(event({ actorId: 'old' }));
      const batch = [
        event({ actorId: 'a' }),
        event({ actorId: 'old' }),
        event({ actorId: 'b' }),
        event({ actorId: 'a' }), // twice in the same batch
      ];
      expect(await store.recordEvents(batch)).toEqual([
        true,
        false,
        true,
        false,
      ]);
      const many = Array.from({ length: 1203 }, (_, i) =>
        event({ actorId: `m${i}`, timeNano: nano(1, i) }),
      );
      expect((await store.recordEvents(many)).every(Boolean)).toBe(true);
      expect(await store.countEvents()).toBe(3 + 1203);
      expect(await store.recordEvents([])).toEqual([]);
    });

    it('redacts secret-looking labels in what it stores', async () => {
      await store.recordEvent(event());
      const [stored] = await store.listEvents();
      expect(stored.labels).toEqual({
        'orch.job.id': 'j1',
        'app.db.password': '********',
      });
      expect(JSON.stringify(await knex('docker_events'))).not.toContain(
        'hunter22',
      );
    });

    it('knows where to resume and lists in time order, nanoseconds included', async () => {
      expect(await store.lastEventTime('local')).toBeUndefined();
      await store.recordEvent(event({ timeNano: nano(5, 2), actorId: 'b' }));
      await store.recordEvent(event({ timeNano: nano(5, 1), actorId: 'a' }));
      await store.recordEvent(event({ timeNano: nano(100), actorId: 'c' }));
      await store.recordEvent(
        event({ endpointId: 'other', timeNano: nano(200) }),
      );
      expect(await store.lastEventTime('local')).toBe(nano(100));
      const events = await store.listEvents({ endpointId: 'local' });
      expect(events.map(e => e.actorId)).toEqual(['a', 'b', 'c']);
      expect(
        (
          await store.listEvents({ endpointId: 'local', sinceNano: nano(5, 2) })
        ).map(e => e.actorId),
      ).toEqual(['b', 'c']);
    });

    it('prunes events older than the retention', async () => {
      await store.recordEvent(event({ timeNano: nano(0), actorId: 'old' }));
      await store.recordEvent(event({ timeNano: nano(60), actorId: 'new' }));
      expect(await store.pruneEvents(at(30))).toBe(1);
      expect((await store.listEvents()).map(e => e.actorId)).toEqual(['new']);
    });
  });

  describe('incidents', () => {
    it('opens one incident per subject and reason while it is active', async () => {
      const first = await store.openIncident(opening());
      expect(first.created).toBe(true);
      expect(first.incident).toMatchObject({
        endpointId: 'local',
        subjectKind: 'container',
        subject: 'web',
        reason: 'die',
        status: 'open',
        count: 1,
        exitCode: 3,
        stack: 'shop',
        openedAt: at(0).toISOString(),
        lastSeenAt: at(0).toISOString(),
      });
      // A second opening (another replica) counts on the first.
      const second = await store.openIncident(
        opening({ at: at(5), exitCode: 4 }),
      );
      expect(second.created).toBe(false);
      expect(second.incident).toMatchObject({
        id: first.incident.id,
        count: 2,
        exitCode: 4,
        lastSeenAt: at(5).toISOString(),
        openedAt: at(0).toISOString(),
      });
      // Another reason is another incident.
      const oom = await store.openIncident(opening({ reason: 'oom' }));
      expect(oom.created).toBe(true);
      expect((await store.findActive(web, 'die'))?.id).toBe(first.incident.id);
    });

    it('counts recurrences with a timeline, and keeps the context', async () => {
      const { incident } = await store.openIncident(opening());
      for (let i = 1; i <= 4; i++) {
        await store.recordRecurrence(incident.id, {
          at: at(i),
          exitCode: 3,
          containerId: 'c1',
          detail: `again ${i}`,
        });
      }
      const got = await store.getIncident(incident.id);
      expect(got?.count).toBe(5);
      expect(got?.context?.logs).toEqual([{ stream: 'stderr', line: 'boom' }]);
      const timeline = await store.listTimeline(incident.id);
      expect(timeline.map(t => t.kind)).toEqual([
        'opened',
        'recurred',
        'recurred',
        'recurred',
        'recurred',
      ]);
      expect(timeline[4]).toMatchObject({
        detail: 'again 4',
        ts: at(4).toISOString(),
      });
      // A late, older failure counts but does not move lastSeenAt back.
      const late = await store.recordRecurrence(incident.id, {
        at: at(2),
        detail: 'late',
      });
      expect(late).toMatchObject({ count: 6, lastSeenAt: at(4).toISOString() });
      await store.noteEvent(incident.id, {
        at: at(9),
        detail: 'exit 137',
        exitCode: 137,
      });
      expect((await store.getIncident(incident.id))?.exitCode).toBe(137);
    });

    it('acknowledges and resolves with conflicts for what is done', async () => {
      const { incident } = await store.openIncident(opening());
      await expect(store.acknowledge('nope', 'u', at(1))).rejects.toThrow(
        NotFoundError,
      );
      const acked = await store.acknowledge(
        incident.id,
        'user:default/ann',
        at(1),
      );
      expect(acked).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'user:default/ann',
        acknowledgedAt: at(1).toISOString(),
      });
      // Twice: nothing changes.
      expect(
        (await store.acknowledge(incident.id, 'user:default/bob', at(2)))
          .acknowledgedBy,
      ).toBe('user:default/ann');
      // Still active: a recurrence counts on it.
      expect(
        (
          await store.recordRecurrence(incident.id, {
            at: at(3),
            detail: 'again',
          })
        )?.count,
      ).toBe(2);
      const resolved = await store.resolve(
        incident.id,
        'user:default/bob',
        at(4),
      );
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolvedBy: 'user:default/bob',
        resolvedAt: at(4).toISOString(),
      });
      await expect(store.resolve(incident.id, 'x', at(5))).rejects.toThrow(
        ConflictError,
      );
      await expect(store.acknowledge(incident.id, 'x', at(5))).rejects.toThrow(
        ConflictError,
      );
      await expect(store.resolve('nope', 'x', at(5))).rejects.toThrow(
        NotFoundError,
      );
      expect(
        await store.recordRecurrence(incident.id, {
          at: at(6),
          detail: 'late',
        }),
      ).toBeUndefined();
      expect((await store.listTimeline(incident.id)).map(t => t.kind)).toEqual([
        'opened',
        'acknowledged',
        'recurred',
        'resolved',
      ]);
      // Resolved, the subject can fail into a new incident.
      expect((await store.openIncident(opening({ at: at(7) }))).created).toBe(
        true,
      );
    });

    it('lists newest first in stable keyset pages with filters', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { incident } = await store.openIncident(
          opening({
            at: at(i % 3), // ties on the time: the id breaks them
            subject: {
              ...web,
              name: `c${i}`,
              stack: i % 2 ? 'shop' : 'blog',
              endpointId: i === 6 ? 'remote' : 'local',
            },
          }),
        );
        ids.push(incident.id);
      }
      await store.resolve(ids[0], 'u', at(9));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page: IncidentListResult = await store.listIncidents(
          {},
          { cursor, limit: 3 },
        );
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map(i => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      const all = (await store.listIncidents({}, { limit: 100 })).items;
      expect(all.map(i => i.id)).toEqual(seen);
      for (let i = 1; i < all.length; i++) {
        const a = all[i - 1];
        const b = all[i];
        expect(
          a.openedAt > b.openedAt || (a.openedAt === b.openedAt && a.id > b.id),
        ).toBe(true);
      }
      expect(all[0].context).toBeUndefined();

      const open = await store.listIncidents(
        { status: ['open', 'acknowledged'] },
        { limit: 100 },
      );
      expect(open.items.map(i => i.id)).not.toContain(ids[0]);
      expect(open.items).toHaveLength(6);
      const shop = await store.listIncidents({ stack: 'shop' }, { limit: 100 });
      expect(shop.items.every(i => i.stack === 'shop')).toBe(true);
      expect(shop.items).toHaveLength(3);
      const remote = await store.listIncidents(
        { endpointId: 'remote' },
        { limit: 100 },
      );
      expect(remote.items.map(i => i.id)).toEqual([ids[6]]);

      await expect(
        store.listIncidents({}, { cursor: 'bad cursor', limit: 2 }),
      ).rejects.toThrow(InputError);
      await expect(
        store.listIncidents(
          {},
          { cursor: Buffer.from('[1]').toString('base64url'), limit: 2 },
        ),
      ).rejects.toThrow(InputError);
      await expect(store.listIncidents({}, { limit: 0 })).rejects.toThrow(
        InputError,
      );
    });

    it('lists quiet candidates by last failure', async () => {
      const a = await store.openIncident(opening({ at: at(0) }));
      const b = await store.openIncident(
        opening({ at: at(0), subject: { ...web, name: 'api' } }),
      );
      await store.recordRecurrence(b.incident.id, {
        at: at(100),
        detail: 'again',
      });
      const c = await store.openIncident(
        opening({ at: at(0), subject: { ...web, name: 'gone' } }),
      );
      await store.resolve(c.incident.id, 'u', at(1));
      expect((await store.listQuietCandidates(at(50))).map(i => i.id)).toEqual([
        a.incident.id,
      ]);
    });
  });
});
