import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import type { Knex } from 'knex';
import fs from 'node:fs';

jest.setTimeout(60_000);

const databases = orchTestDatabases();

const config = {
  directory: resolvePackagePath(
    '@internal/backstage-plugin-portainer-node',
    'migrations',
  ),
  tableName: 'portainer_node_knex_migrations',
};

const migrationFiles = fs
  .readdirSync(config.directory)
  .filter(name => name.endsWith('.js'))
  .sort();

/** The tables that exist after each migration, in order. */
const tablesAfter: Record<string, string[]> = {
  '20261126100000_docker_events.js': ['docker_events'],
  '20261126100100_incidents.js': ['incidents', 'incident_timeline'],
};
const ALL_TABLES = Object.values(tablesAfter).flat();

async function presentTables(knex: Knex): Promise<string[]> {
  const present: string[] = [];
  for (const table of ALL_TABLES) {
    if (await knex.schema.hasTable(table)) present.push(table);
  }
  return present.sort();
}

const openRow = (id: string, status: string) => ({
  id,
  endpoint_id: 'local',
  subject_kind: 'container',
  subject: 'web',
  reason: 'die',
  status,
  count: 1,
  first_seen: new Date(),
  last_seen: new Date(),
  context_json: '{}',
});

describe.each(databases.eachSupportedId())('migrations (%s)', databaseId => {
  it('knows every migration file', () => {
    expect(migrationFiles).toEqual(Object.keys(tablesAfter));
  });

  it('steps up one by one and back down to zero', async () => {
    const knex = await databases.init(databaseId);
    const expected: string[] = [];
    for (const file of migrationFiles) {
      await knex.migrate.up({ ...config, name: file });
      expected.push(...tablesAfter[file]);
      expect(await presentTables(knex)).toEqual([...expected].sort());
    }

    // One active incident per subject and reason; resolved ones pile up.
    await knex('incidents').insert(openRow('a', 'resolved'));
    await knex('incidents').insert(openRow('b', 'resolved'));
    await knex('incidents').insert(openRow('c', 'open'));
    const second = await knex('incidents')
      .insert(openRow('d', 'acknowledged'))
      .then(
        () => 'inserted',
        (e: { code?: string }) => e.code,
      );
    expect(second).toMatch(/^(23505|SQLITE_CONSTRAINT_UNIQUE)$/);
    await knex('incident_timeline').insert({
      incident_id: 'c',
      ts: new Date(),
      kind: 'opened',
      detail: 'x',
    });

    for (const file of [...migrationFiles].reverse()) {
      await knex.migrate.down({ ...config });
      expected.splice(expected.length - tablesAfter[file].length);
      expect(await presentTables(knex)).toEqual([...expected].sort());
    }
    expect(await knex.migrate.currentVersion(config)).toBe('none');

    await knex.migrate.latest(config);
    expect(await presentTables(knex)).toEqual([...ALL_TABLES].sort());
  });
});
