import { TestDatabases, type TestDatabaseId } from '@backstage/backend-test-utils';

const POSTGRES_IDS: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

/**
 * The databases every Orch store test runs on: SQLite and the Postgres that
 * script/test provides through `BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING`.
 *
 * Backstage's `TestDatabases` silently drops an engine it cannot reach; under
 * `CI=true` (and with `ORCH_REQUIRE_POSTGRES=1`) this throws instead, so a
 * missing Postgres fails the suite rather than skipping half of it.
 * @public
 */
export function orchTestDatabases(): TestDatabases {
  const postgres = POSTGRES_IDS.filter(id =>
    Boolean(
      process.env[
        `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
      ],
    ),
  );
  const required =
    process.env.CI === 'true' || process.env.ORCH_REQUIRE_POSTGRES === '1';
  if (postgres.length === 0 && required) {
    throw new Error(
      'No test Postgres: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (script/test does)',
    );
  }
  return TestDatabases.create({
    ids: [...postgres.slice(0, 1), 'SQLITE_3'],
    disableDocker: true,
  });
}
