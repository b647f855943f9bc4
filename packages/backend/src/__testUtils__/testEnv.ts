import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { dirname, join } from 'path';

export type Engine = 'sqlite' | 'postgres';

/** The repository root: the nearest folder up from here with backstage.json. */
function findRepoRoot(): string {
  let dir = process.cwd();
  while (!existsSync(join(dir, 'backstage.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('not inside the Orch repository');
    dir = parent;
  }
  return dir;
}

export const REPO = findRepoRoot();

/**
 * `backend.database` for one test backend: SQLite files under `dir`, or the
 * test Postgres with a fresh database prefix (one database per plugin).
 */
export function testDatabaseConfig(engine: Engine, dir: string, tag: string) {
  return engine === 'sqlite'
    ? { client: 'better-sqlite3', connection: { directory: join(dir, 'db') } }
    : {
        client: 'pg',
        connection: process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
        prefix: `${tag}_${randomBytes(4).toString('hex')}_`,
      };
}
