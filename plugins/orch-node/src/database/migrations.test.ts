import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import fs from 'node:fs';
import { orchTestDatabases } from '../testUtils/databases';

jest.setTimeout(60_000);

const databases = orchTestDatabases();

const config = {
  directory: resolvePackagePath(
    '@internal/backstage-plugin-orch-node',
    'migrations',
  ),
  tableName: 'orch_node_knex_migrations',
};

const migrationFiles = fs
  .readdirSync(config.directory)
  .filter(name => name.endsWith('.js'))
  .sort();

/** The tables that exist after each migration, in order. */
const tablesAfter: Record<string, string[]> = {
  '20261125000000_runbooks_and_jobs.js': ['runbooks', 'jobs'],
  '20261125000100_job_steps_and_events.js': ['job_steps', 'job_events'],
  '20261125000200_connections.js': ['connections'],
  '20261125000300_audit_log.js': ['audit_log'],
  '20261126000000_users_and_roles.js': ['users', 'roles', 'user_roles'],
  '20261126000100_auth_sessions.js': ['auth_sessions', 'refresh_tokens'],
  '20261126000200_project_jobs.js': [],
};

/** Columns added to existing tables, by migration. */
const columnsAfter: Record<string, Array<[string, string]>> = {
  '20261126000200_project_jobs.js': [
    ['jobs', 'kind'],
    ['jobs', 'project_name'],
    ['jobs', 'project_repository'],
    ['jobs', 'project_ref'],
    ['jobs', 'project_json'],
    ['jobs', 'step_index'],
    ['job_steps', 'child_job_id'],
  ],
};

async function presentColumns(knex: Knex): Promise<string[]> {
  const present: string[] = [];
  for (const [table, column] of Object.values(columnsAfter).flat()) {
    if (
      (await knex.schema.hasTable(table)) &&
      (await knex.schema.hasColumn(table, column))
    ) {
      present.push(`${table}.${column}`);
    }
  }
  return present.sort();
}
const ALL_TABLES = Object.values(tablesAfter).flat();

async function presentTables(knex: Knex): Promise<string[]> {
  const present: string[] = [];
  for (const table of ALL_TABLES) {
    if (await knex.schema.hasTable(table)) present.push(table);
  }
  return present.sort();
}

describe.each(databases.eachSupportedId())('migrations (%s)', databaseId => {
  it('knows every migration file', () => {
    expect(migrationFiles).toEqual(Object.keys(tablesAfter));
  });

  it('steps up one by one and back down to zero', async () => {
    const knex = await databases.init(databaseId);
    const expected: string[] = [];
    const columns: string[] = [];

    for (const file of migrationFiles) {
      await knex.migrate.up({ ...config, name: file });
      expected.push(...tablesAfter[file]);
      columns.push(...(columnsAfter[file] ?? []).map(([t, c]) => `${t}.${c}`));
      expect(await presentTables(knex)).toEqual([...expected].sort());
      expect(await presentColumns(knex)).toEqual([...columns].sort());
    }

    // Data written at the latest version survives nothing but the rollback.
    await knex('jobs').insert({
      id: 'j1',
      runbook_name: 'hello',
      runbook_version: '1',
      status: 'PENDING',
      environment: 'prod',
      input_json: '{}',
      created_by: 'user:default/a',
      created_at: new Date(),
    });
    await knex('job_events').insert({
      job_id: 'j1',
      seq: 1,
      ts: new Date(),
      level: 'info',
      type: 'verbose',
      stdout: 'hi',
    });
    const job = await knex('jobs').where('id', 'j1').first();
    expect(job.connections_json).toBe('[]');
    expect(Number(job.attempt)).toBe(0);
    expect(Boolean(job.cancel_requested)).toBe(false);
    expect(job.kind).toBe('runbook');
    expect(job.project_json).toBeNull();

    for (const file of [...migrationFiles].reverse()) {
      await knex.migrate.down({ ...config });
      expected.splice(expected.length - tablesAfter[file].length);
      columns.splice(columns.length - (columnsAfter[file] ?? []).length);
      expect(await presentTables(knex)).toEqual([...expected].sort());
      expect(await presentColumns(knex)).toEqual([...columns].sort());
    }
    expect(await presentTables(knex)).toEqual([]);
    expect(await knex.migrate.currentVersion(config)).toBe('none');

    await knex.migrate.latest(config);
    expect(await presentTables(knex)).toEqual([...ALL_TABLES].sort());
  });
});
