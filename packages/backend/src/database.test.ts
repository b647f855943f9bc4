import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { databaseServiceFactory } from './database';
import { engines } from './__testUtils__/orchHarness';
import { testDatabaseConfig } from './__testUtils__/testEnv';

jest.setTimeout(60_000);

describe.each(engines())('the backend database service on %s', engine => {
  const dir = mkdtempSync(join(tmpdir(), 'orch-db-service-'));
  const database = testDatabaseConfig(engine, dir, 'orch_dbsvc');
  const postgresUrl = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  let knex: Knex | undefined;
  let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

  beforeAll(async () => {
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(env) {
        env.registerInit({
          deps: { database: coreServices.database },
          async init({ database: service }) {
            knex = await service.getClient();
          },
        });
      },
    });
    backend = await startTestBackend({
      features: [
        databaseServiceFactory,
        mockServices.rootConfig.factory({ data: { backend: { database } } }),
        probe,
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await knex?.destroy();
    if (engine === 'postgres') {
      const admin = knexFactory({ client: 'pg', connection: postgresUrl });
      await admin.raw(`DROP DATABASE IF EXISTS "${database.prefix}probe" WITH (FORCE)`);
      await admin.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands each plugin a working client of its own database', async () => {
    await knex!.schema.createTable('probe', table => {
      table.string('name').primary();
    });
    await knex!('probe').insert({ name: 'a' });
    expect(await knex!('probe').select('name')).toEqual([{ name: 'a' }]);
    expect(knex!.client.config.client).toBe(database.client);
  });

  it('writes SQLite files through a write-ahead log, and leaves Postgres as configured', async () => {
    const postgresSetting = async (client: Knex) =>
      (await client.raw('SHOW synchronous_commit')).rows[0].synchronous_commit;
    const admin =
      engine === 'postgres'
        ? knexFactory({ client: 'pg', connection: postgresUrl })
        : undefined;
    try {
      const settings =
        engine === 'sqlite'
          ? {
              journal: (await knex!.raw('PRAGMA journal_mode'))[0].journal_mode,
              synchronous: (await knex!.raw('PRAGMA synchronous'))[0].synchronous,
              wal: existsSync(join(dir, 'db', 'probe.sqlite-wal')),
            }
          : { synchronous_commit: await postgresSetting(knex!) };
      expect(settings).toEqual(
        admin
          ? { synchronous_commit: await postgresSetting(admin) }
          : { journal: 'wal', synchronous: 1, wal: true },
      );
    } finally {
      await admin?.destroy();
    }
  });
});
