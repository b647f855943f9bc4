import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { orchTestDatabases } from '../testUtils/databases';
import {
  DatabaseConnectionStore,
  type NewConnectionRecord,
} from './DatabaseConnectionStore';
import { DatabaseJobStore } from './DatabaseJobStore';

jest.setTimeout(60_000);

const databases = orchTestDatabases();

describe.each(databases.eachSupportedId())(
  'DatabaseConnectionStore (%s)',
  id => {
    let knex: Knex;
    let store: DatabaseConnectionStore;

    const record = (
      overrides: Partial<NewConnectionRecord> = {},
    ): NewConnectionRecord => ({
      id: randomUUID(),
      type: 'ssh',
      name: 'web',
      environment: 'prod',
      config: { host: 'h', port: 22, user: 'u' },
      encryptedPayload: 'v1.k1.cipher',
      keyId: 'k1',
      createdBy: 'user:default/alice',
      ...overrides,
    });

    beforeAll(async () => {
      knex = await databases.init(id);
      // The job store runs all of the package's migrations.
      await DatabaseJobStore.fromKnex(knex);
      store = await DatabaseConnectionStore.fromKnex(knex);
    });

    afterEach(async () => {
      await knex('connections').del();
    });

    it('creates, reads and lists', async () => {
      const now = new Date('2026-01-01T00:00:00.000Z');
      const a = await store.create(record({ now, description: 'd' }));
      expect(a).toEqual({
        id: a.id,
        type: 'ssh',
        name: 'web',
        environment: 'prod',
        description: 'd',
        config: { host: 'h', port: 22, user: 'u' },
        encryptedPayload: 'v1.k1.cipher',
        keyId: 'k1',
        createdBy: 'user:default/alice',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      });
      await store.create(record({ environment: 'stage' }));
      await store.create(record({ name: 'gh', type: 'github', config: {} }));

      expect(await store.get(a.id)).toEqual(a);
      expect(await store.get(randomUUID())).toBeUndefined();
      expect((await store.list()).map(c => c.name)).toEqual([
        'gh',
        'web',
        'web',
      ]);
      expect((await store.list({ type: 'github' })).map(c => c.name)).toEqual([
        'gh',
      ]);
      expect(await store.list({ environment: 'stage' })).toHaveLength(1);
      expect(await store.list({ type: 'ssh', environment: 'prod' })).toEqual([
        a,
      ]);
      expect(await store.listAll()).toHaveLength(3);
    });

    it('refuses a duplicate name in one environment', async () => {
      await store.create(record());
      await expect(store.create(record())).rejects.toThrow(ConflictError);
      const other = await store.create(record({ environment: 'stage' }));
      await expect(
        store.update(other.id, { environment: 'prod' }),
      ).rejects.toThrow(ConflictError);
    });

    it('updates, replaces the payload and deletes', async () => {
      const a = await store.create(record({ description: 'd' }));
      const later = new Date('2030-01-01T00:00:00.000Z');
      const updated = await store.update(a.id, {
        name: 'web2',
        description: null,
        config: { host: 'x' },
        now: later,
      });
      expect(updated).toMatchObject({
        name: 'web2',
        config: { host: 'x' },
        encryptedPayload: 'v1.k1.cipher',
        updatedAt: later.toISOString(),
        createdAt: a.createdAt,
      });
      expect(updated).not.toHaveProperty('description');
      expect(await store.update(randomUUID(), { name: 'x' })).toBeUndefined();

      expect(await store.replacePayload(a.id, 'v1.k2.other', 'k2')).toBe(true);
      expect(await store.get(a.id)).toMatchObject({
        encryptedPayload: 'v1.k2.other',
        keyId: 'k2',
      });
      expect(await store.replacePayload(randomUUID(), 'x', 'k')).toBe(false);

      expect(await store.delete(a.id)).toBe(true);
      expect(await store.delete(a.id)).toBe(false);
      expect(await store.get(a.id)).toBeUndefined();
    });
  },
);
