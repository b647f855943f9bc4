import type { Knex } from 'knex';

/**
 * The settings every connection to a SQLite file gets:
 *
 * - `journal_mode = WAL`: a commit appends to the write-ahead log instead of
 *   copying pages to a rollback journal and syncing both, and readers (the
 *   other process, the catalog's API) no longer block the writer. The
 *   embedded default has the backend and the worker share the orch file.
 * - `synchronous = NORMAL`: in WAL mode the log is synced at checkpoints,
 *   not at every commit. A crash of the process loses nothing; a power cut
 *   may lose the last commits, never the file's consistency (SQLite's own
 *   advice for WAL). Production runs on Postgres.
 * - `busy_timeout`: a writer waits for the other process's lock instead of
 *   failing with SQLITE_BUSY.
 *
 * Switching to WAL needs the file to itself for a moment; when the other
 * process holds it past the timeout the file keeps its journal, which is
 * slower but as correct, and the next connection tries again.
 */
export const SQLITE_FILE_PRAGMAS = [
  'busy_timeout = 10000',
  'journal_mode = WAL',
  'synchronous = NORMAL',
] as const;

interface PragmaConnection {
  pragma(source: string): unknown;
}

const tuned = new WeakSet<Knex>();

function isSqliteFile(knex: Knex): boolean {
  if (knex.client.config.client !== 'better-sqlite3') {
    return false;
  }
  const filename: string | undefined = (
    knex.client as { connectionSettings?: { filename?: string } }
  ).connectionSettings?.filename;
  return Boolean(filename) && filename !== ':memory:';
}

/**
 * Applies {@link SQLITE_FILE_PRAGMAS} to a knex client on a better-sqlite3
 * file: to the connection it holds now and to every one its pool opens later.
 * Anything else (Postgres, an in-memory SQLite) is left as it is. Safe to call
 * more than once for one client.
 */
export async function tuneSqlite(knex: Knex): Promise<void> {
  if (tuned.has(knex) || !isSqliteFile(knex)) {
    return;
  }
  tuned.add(knex);
  // The pool reports each new connection before it is handed out; the
  // pragmas run synchronously there, ahead of any query on it.
  knex.client.pool?.on(
    'createSuccess',
    (_eventId: unknown, connection: PragmaConnection) => {
      for (const pragma of SQLITE_FILE_PRAGMAS) {
        try {
          connection.pragma(pragma);
        } catch {
          // Kept as it was; see above.
        }
      }
    },
  );
  // The connection that may already be open (SQLite's pool holds one).
  for (const pragma of SQLITE_FILE_PRAGMAS) {
    await knex.raw(`PRAGMA ${pragma}`).catch(() => {});
  }
}
