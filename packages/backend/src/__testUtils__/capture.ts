import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import knexFactory from 'knex';
import { join } from 'path';
import { Writable } from 'stream';
import * as winston from 'winston';

/**
 * The backend's real root logger (Backstage's WinstonLogger, with its
 * redaction), writing every line at debug level into `lines`, so a test can
 * prove a secret never reaches a log line.
 */
export function capturingRootLogger(lines: string[]) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () =>
      WinstonLogger.create({
        meta: { service: 'orch-test' },
        level: 'debug',
        format: winston.format.json(),
        transports: [
          new winston.transports.Stream({
            stream: new Writable({
              write(chunk, _encoding, done) {
                lines.push(String(chunk));
                done();
              },
            }),
          }),
        ],
      }),
  });
}

/**
 * Every row of every table of a plugin's database, as one JSON text: the
 * orch plugin's own tables on SQLite (a file under `sqliteDir`) or Postgres
 * (database `<prefix><pluginId>`).
 */
export async function dumpPluginDatabase(
  database: { client: string; connection: any; prefix?: string },
  pluginId: string,
  sqliteDir?: string,
): Promise<string> {
  const knex =
    database.client === 'pg'
      ? knexFactory({
          client: 'pg',
          // The plugin's own database (Backstage's default: one per plugin).
          connection: withDatabase(
            database.connection,
            `${database.prefix ?? 'backstage_plugin_'}${pluginId}`,
          ),
        })
      : knexFactory({
          client: 'better-sqlite3',
          connection: { filename: join(sqliteDir!, `${pluginId}.sqlite`) },
          useNullAsDefault: true,
        });
  try {
    const tables: string[] =
      database.client === 'pg'
        ? (await knex.raw(`select tablename from pg_tables where schemaname = 'public'`)).rows.map(
            (r: any) => r.tablename,
          )
        : (await knex.raw(`select name from sqlite_master where type = 'table'`)).map(
            (r: any) => r.name,
          );
    if (tables.length === 0) {
      throw new Error(`no tables in the ${pluginId} database: wrong database?`);
    }
    const out: Record<string, unknown[]> = {};
    for (const table of tables) {
      out[table] = await knex(table).select();
    }
    return JSON.stringify(out);
  } finally {
    await knex.destroy();
  }
}

function withDatabase(connectionString: string, name: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${name}`;
  return url.toString();
}
