import knexFactory, { type Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orchTestDatabases } from '../testUtils/databases';
import { tuneSqlite } from './sqlite';

jest.setTimeout(60_000);

/** One pragma's value, read on a raw better-sqlite3 connection. */
function pragma(
  connection: { pragma(source: string, options: { simple: true }): unknown },
  name: string,
) {
  return connection.pragma(name, { simple: true });
}

describe('tuneSqlite', () => {
  let dir: string;
  const clients: Knex[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-sqlite-'));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(k => k.destroy()));
    rmSync(dir, { recursive: true, force: true });
  });

  function sqliteFile(pool?: Knex.PoolConfig): Knex {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'tuned.sqlite') },
      useNullAsDefault: true,
      pool,
    });
    clients.push(knex);
    return knex;
  }

  it('puts a SQLite file in WAL mode with NORMAL sync and a busy timeout', async () => {
    const knex = sqliteFile();
    await tuneSqlite(knex);
    const connection = await knex.client.acquireConnection();
    try {
      expect(pragma(connection, 'journal_mode')).toBe('wal');
      // 1 = NORMAL (2 = FULL, the default).
      expect(pragma(connection, 'synchronous')).toBe(1);
      expect(pragma(connection, 'busy_timeout')).toBe(10000);
    } finally {
      await knex.client.releaseConnection(connection);
    }
  });

  it('tunes the connections the pool opens later too', async () => {
    const knex = sqliteFile({ min: 1, max: 2 });
    await tuneSqlite(knex);
    // Two connections at once: the second is opened after tuneSqlite ran.
    const [a, b] = await Promise.all([
      knex.client.acquireConnection(),
      knex.client.acquireConnection(),
    ]);
    try {
      expect(a).not.toBe(b);
      for (const connection of [a, b]) {
        expect(pragma(connection, 'synchronous')).toBe(1);
        expect(pragma(connection, 'busy_timeout')).toBe(10000);
      }
    } finally {
      await knex.client.releaseConnection(a);
      await knex.client.releaseConnection(b);
    }
  });

  it('leaves an in-memory SQLite alone', async () => {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    clients.push(knex);
    await tuneSqlite(knex);
    const connection = await knex.client.acquireConnection();
    try {
      expect(pragma(connection, 'journal_mode')).toBe('memory');
      expect(pragma(connection, 'synchronous')).toBe(2);
    } finally {
      await knex.client.releaseConnection(connection);
    }
  });
});

const databases = orchTestDatabases();

describe.each(databases.eachSupportedId())('tuneSqlite on %s', id => {
  it('keeps the client working, and is harmless when called twice', async () => {
    const knex = await databases.init(id);
    await tuneSqlite(knex);
    await tuneSqlite(knex);
    await knex.schema.createTable('tuned', table => {
      table.string('name').primary();
    });
    await knex('tuned').insert({ name: 'a' });
    expect(await knex('tuned').select('name')).toEqual([{ name: 'a' }]);
  });
});
