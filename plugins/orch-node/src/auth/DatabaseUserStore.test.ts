import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { OrchRole } from '@internal/backstage-plugin-orch-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { orchTestDatabases } from '../testUtils/databases';
import { DatabaseUserStore, type OrchUser } from './DatabaseUserStore';

jest.setTimeout(60_000);

const databases = orchTestDatabases();

const MIGRATION = '20261126000000_users_and_roles.js';
const migrations = {
  directory: resolvePackagePath(
    '@internal/backstage-plugin-orch-node',
    'migrations',
  ),
  tableName: 'orch_node_knex_migrations',
};

// The store never looks inside a hash; hashing has its own tests.
const HASH = '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA';

describe.each(databases.eachSupportedId())('DatabaseUserStore (%s)', id => {
  let knex: Knex;
  let store: DatabaseUserStore;

  const create = (email: string, roles: OrchRole[] = [], extra = {}) =>
    store.create({ email, passwordHash: HASH, roles, ...extra });

  beforeAll(async () => {
    knex = await databases.init(id);
    // The job store runs all of the package's migrations.
    await DatabaseJobStore.fromKnex(knex);
    store = await DatabaseUserStore.fromKnex(knex);
  });

  afterEach(async () => {
    await knex('user_roles').del();
    await knex('users').del();
  });

  it('creates and reads a user back by id, email and entity ref', async () => {
    expect(await store.count()).toBe(0);
    const before = Date.now();
    const user = await store.create({
      email: '  Alice.Smith@Example.COM ',
      passwordHash: HASH,
      roles: ['viewer', 'admin'],
    });
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: 'alice.smith@example.com',
      displayName: 'Alice.Smith',
      entityRef: 'user:default/alice.smith',
      status: 'active',
      roles: ['admin', 'viewer'],
      mustChangePassword: false,
      createdAt: user.createdAt,
      updatedAt: user.createdAt,
    });
    expect(Date.parse(user.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(user).not.toHaveProperty('passwordHash');
    expect(user).not.toHaveProperty('passwordChangedAt');
    expect(await store.count()).toBe(1);

    expect(await store.get(user.id)).toEqual(user);
    expect(await store.get(randomUUID())).toBeUndefined();
    expect(await store.get('not-a-uuid')).toBeUndefined();
    expect(await store.getByEmail('ALICE.SMITH@example.com ')).toEqual({
      ...user,
      passwordHash: HASH,
    });
    expect(await store.getByEmail('bob@example.com')).toBeUndefined();
    expect(await store.getByEntityRef('user:default/alice.smith')).toEqual(
      user,
    );
    expect(await store.getByEntityRef('User:default/Alice.Smith')).toEqual(
      user,
    );
    expect(await store.getByEntityRef('user:default/bob')).toBeUndefined();

    const named = await store.create({
      email: 'carol@example.com',
      displayName: ' Carol C. ',
      passwordHash: HASH,
      roles: [],
      mustChangePassword: true,
    });
    expect(named).toMatchObject({
      displayName: 'Carol C.',
      roles: [],
      mustChangePassword: true,
    });
  });

  it('refuses a duplicate email, case-insensitively', async () => {
    await create('dup@example.com', ['admin']);
    for (const email of ['dup@example.com', ' DUP@Example.com']) {
      await expect(create(email)).rejects.toThrow(ConflictError);
    }
    // Nothing half-written: still one user, with its own roles only.
    expect(await store.count()).toBe(1);
    expect(Number((await knex('user_roles').count({ n: '*' }))[0].n)).toBe(1);
  });

  it('refuses invalid emails and unknown roles', async () => {
    for (const email of ['', 'no-at-sign', '@example.com', 'a@', 'a@b@c']) {
      await expect(create(email)).rejects.toThrow(InputError);
    }
    await expect(create('x@example.com', ['root' as OrchRole])).rejects.toThrow(
      InputError,
    );
    expect(await store.count()).toBe(0);
  });

  it('derives the entity ref from the local part and keeps it unique', async () => {
    const refs = async (...emails: string[]) => {
      const out: string[] = [];
      for (const email of emails) out.push((await create(email)).entityRef);
      return out;
    };
    expect(
      await refs(
        'Jo.Doe+ops@a.example',
        'jo.doe+ops@b.example',
        'JO.DOE+OPS@c.example',
        'jo.doe-ops@d.example',
        'jo_doe@e.example',
        'jo%doe@f.example',
      ),
    ).toEqual([
      'user:default/jo.doe-ops',
      'user:default/jo.doe-ops-2',
      'user:default/jo.doe-ops-3',
      'user:default/jo.doe-ops-4',
      'user:default/jo_doe',
      'user:default/jo-doe',
    ]);
    // Valid Backstage entity names: no separator at either end, at most
    // 63 characters, never empty.
    expect(
      await refs(
        '+weird+@g.example',
        '---@h.example',
        `${'x'.repeat(100)}@i.example`,
        `${'x'.repeat(100)}@j.example`,
      ),
    ).toEqual([
      'user:default/weird',
      'user:default/user',
      `user:default/${'x'.repeat(56)}`,
      `user:default/${'x'.repeat(56)}-2`,
    ]);
    // The ref stays when the display name changes.
    const user = (await store.getByEmail('jo_doe@e.example'))!;
    expect((await store.update(user.id, { displayName: 'Jo' })).entityRef).toBe(
      'user:default/jo_doe',
    );
  });

  it('gives concurrent creates of one local part distinct refs', async () => {
    const users = await Promise.all(
      [1, 2, 3, 4, 5].map(i => create(`sam@host${i}.example`)),
    );
    expect(new Set(users.map(u => u.entityRef))).toEqual(
      new Set([
        'user:default/sam',
        'user:default/sam-2',
        'user:default/sam-3',
        'user:default/sam-4',
        'user:default/sam-5',
      ]),
    );
  });

  it('round-trips and replaces roles', async () => {
    const user = await create('ops@example.com', ['viewer', 'operator']);
    expect(user.roles).toEqual(['operator', 'viewer']);

    const replaced = await store.update(user.id, { roles: ['admin'] });
    expect(replaced.roles).toEqual(['admin']);
    expect((await store.get(user.id))!.roles).toEqual(['admin']);

    const duplicated = await store.update(user.id, {
      roles: ['viewer', 'viewer', 'admin'],
    });
    expect(duplicated.roles).toEqual(['admin', 'viewer']);

    const none = await store.update(user.id, { roles: [] });
    expect(none.roles).toEqual([]);

    // Another user's roles are untouched.
    const other = await create('other@example.com', ['operator']);
    await store.update(user.id, { roles: ['viewer'] });
    expect((await store.get(other.id))!.roles).toEqual(['operator']);

    await expect(
      store.update(user.id, { roles: ['admin', 'god' as OrchRole] }),
    ).rejects.toThrow(InputError);
    expect((await store.get(user.id))!.roles).toEqual(['viewer']);
  });

  it('disables and enables, changes the password and the display name', async () => {
    const user = await create('dana@example.com', ['operator']);
    const disabled = await store.update(user.id, { status: 'disabled' });
    expect(disabled.status).toBe('disabled');
    expect(Date.parse(disabled.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(user.updatedAt),
    );
    expect((await store.update(user.id, { status: 'active' })).status).toBe(
      'active',
    );
    await expect(
      store.update(user.id, { status: 'gone' as 'active' }),
    ).rejects.toThrow(InputError);

    const reset = await store.update(user.id, {
      passwordHash: '$scrypt$new',
      mustChangePassword: true,
    });
    expect(reset.mustChangePassword).toBe(true);
    expect(reset.passwordChangedAt).toBe(reset.updatedAt);
    expect((await store.getByEmail(user.email))!.passwordHash).toBe(
      '$scrypt$new',
    );
    const changed = await store.update(user.id, { mustChangePassword: false });
    expect(changed.mustChangePassword).toBe(false);
    expect(changed.passwordChangedAt).toBe(reset.passwordChangedAt);

    expect(
      (await store.update(user.id, { displayName: ' Dana D ' })).displayName,
    ).toBe('Dana D');
    await expect(store.update(user.id, { displayName: '  ' })).rejects.toThrow(
      InputError,
    );
    expect((await store.get(user.id))!).toMatchObject({
      displayName: 'Dana D',
      status: 'active',
      roles: ['operator'],
    });
  });

  it('throws NotFoundError when updating an unknown user', async () => {
    await expect(
      store.update(randomUUID(), { status: 'disabled' }),
    ).rejects.toThrow(NotFoundError);
    await expect(store.update('nope', { roles: ['admin'] })).rejects.toThrow(
      NotFoundError,
    );
    // No roles were written for the unknown id.
    expect(Number((await knex('user_roles').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('lists by email, one keyset page at a time, with a status filter', async () => {
    const emails = Array.from(
      { length: 7 },
      (_, i) => `user${String(i).padStart(2, '0')}@example.com`,
    );
    // Created out of order: the list is ordered by email, not by creation.
    for (const email of [...emails].reverse()) {
      await create(email, ['viewer']);
    }
    const all: OrchUser[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await store.list({ limit: 3, cursor });
      sizes.push(page.items.length);
      all.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      if (sizes.length === 1) {
        // A user added before the cursor does not shift later pages.
        await create('user00a@example.com');
      }
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(all.map(u => u.email)).toEqual(emails);
    expect(all.every(u => u.roles.join() === 'viewer')).toBe(true);

    expect((await store.list()).items).toHaveLength(8);
    expect(await store.list({ limit: 8 })).not.toHaveProperty('nextCursor');

    const some = (await store.list()).items.slice(2, 5);
    for (const u of some) await store.update(u.id, { status: 'disabled' });
    const disabled = await store.list({ status: 'disabled', limit: 2 });
    expect(disabled.items.map(u => u.email)).toEqual(
      some.slice(0, 2).map(u => u.email),
    );
    const rest = await store.list({
      status: 'disabled',
      cursor: disabled.nextCursor,
    });
    expect(rest.items.map(u => u.email)).toEqual([some[2].email]);
    expect((await store.list({ status: 'active' })).items).toHaveLength(5);

    for (const bad of ['x', '!!', Buffer.from('[1]').toString('base64url')]) {
      await expect(store.list({ cursor: bad })).rejects.toThrow(InputError);
    }
    await expect(store.list({ limit: 0 })).rejects.toThrow(InputError);
  });
});

describe.each(databases.eachSupportedId())(
  'users and roles migration (%s)',
  id => {
    it('goes down and up again, seeding the roles', async () => {
      const knex = await databases.init(id);
      await knex.migrate.latest(migrations);
      const tables = ['users', 'roles', 'user_roles'];
      for (const table of tables) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      expect(
        (await knex('roles').orderBy('name').select('name')).map(r => r.name),
      ).toEqual(['admin', 'operator', 'viewer']);

      // Undo this migration and whatever came after it (later ones may
      // reference its tables).
      const version = async () =>
        Number(await knex.migrate.currentVersion(migrations));
      while ((await version()) >= 20261126000000) {
        await knex.migrate.down(migrations);
      }
      for (const table of tables) {
        expect(await knex.schema.hasTable(table)).toBe(false);
      }
      // Earlier tables stay.
      expect(await knex.schema.hasTable('audit_log')).toBe(true);
      const [completed] = await knex.migrate.list(migrations);
      expect(completed.map((m: { name: string }) => m.name)).not.toContain(
        MIGRATION,
      );

      await knex.migrate.latest(migrations);
      expect(Number((await knex('roles').count({ n: '*' }))[0].n)).toBe(3);
      const store = await DatabaseUserStore.fromKnex(knex);
      const user = await store.create({
        email: 'back@example.com',
        passwordHash: HASH,
        roles: ['operator'],
      });
      expect((await store.get(user.id))!.roles).toEqual(['operator']);
    });
  },
);
