/*
 * yarn bench catalog — orch.yaml projects into the Backstage catalog.
 *
 * N generated manifests (default 1,000) under a runbooks root with two
 * runbooks are read by the OrchProjectEntityProvider (the real catalog
 * module) into a real catalog backend (@backstage/plugin-catalog-backend
 * with the scaffolder entity model, on a SQLite file), which processes and
 * stitches them: per project a Component and an install Template, plus one
 * Resource per runbook. The clock stops when the catalog's API serves every
 * entity (one by-query total, read every 250 ms), then every Component's
 * dependsOn relations.
 *
 * Anchor: Backstage's catalog processes "hundreds of entities per second"
 * (backstage/backstage#27628); the lower bound, 100/s, is the comparison.
 * Target: under 60 s for 1,000 manifests.
 *
 * The database comes from the backend's database service
 * (packages/backend/src/database.ts), configured as app-config.yaml does: a
 * SQLite file per plugin, in WAL mode.
 *
 * Options: --manifests N (default 1000); --memory for an in-memory SQLite
 * instead of a file, to tell the disk's share; --journal for Backstage's own
 * database service, whose SQLite files keep the rollback journal (synced at
 * every commit); --postgres for a fresh database on the test Postgres
 * (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING), for comparison.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import os, { tmpdir } from 'os';
import { join, resolve } from 'path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import knexFactory from 'knex';
import { databaseServiceFactory as backstageDatabaseServiceFactory } from '@backstage/backend-defaults/database';
import { databaseServiceFactory } from '../packages/backend/src/database';
import { catalogModuleOrch } from '../plugins/catalog-backend-module-orch/src/module';
import {
  captureCatalogScheduler,
  catalogClient,
} from '../plugins/catalog-backend-module-orch/src/__testUtils__/catalogBackend';
import {
  manifest,
  writeRunbooksRoot,
} from '../plugins/catalog-backend-module-orch/src/__testUtils__/projectFixtures';
import { printTable } from './table';
import type { JsonObject } from '@backstage/types';

const ROOT = resolve(__dirname, '..');
const ANCHOR_PER_SECOND = 100;
const TARGET_SECONDS = 60;
/** The API is read this often; one count query each time, so the probe stays light. */
const POLL_MS = 250;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const delay = (ms: number) => new Promise(r => setTimeout(r, ms));

async function main() {
  const count = arg('manifests', 1000);
  // The embedded default is a SQLite file; in memory shows the cost without
  // the disk's fsyncs.
  const inMemory = process.argv.includes('--memory');
  // --journal: Backstage's own database service, which leaves SQLite files
  // in their default rollback-journal mode, to show what WAL is worth.
  const journal = process.argv.includes('--journal');
  const manifests: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = `p${String(i).padStart(5, '0')}`;
    manifests[name] = manifest(name, {
      runbooks: ['swarm_deploy', 'hello'],
      // Every other project depends on the one before it.
      dependsOnProject:
        i % 2 === 1 ? `p${String(i - 1).padStart(5, '0')}` : undefined,
    });
  }
  const runbooks = await writeRunbooksRoot(manifests);
  const dbDir = mkdtempSync(join(tmpdir(), 'orch-bench-catalog-'));
  // --postgres: a fresh database on the test Postgres, for comparison.
  const postgresUrl = process.argv.includes('--postgres')
    ? process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    : undefined;
  if (process.argv.includes('--postgres') && !postgresUrl) {
    throw new Error(
      '--postgres needs BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
    );
  }
  // The catalog gets its database from the backend's own database service
  // (packages/backend/src/database.ts) configured as app-config.yaml does:
  // one SQLite file per plugin under a directory. On Postgres the service
  // creates `<prefix>catalog`, dropped at the end.
  const prefix = `orch_bench_${process.pid}_`;
  let database: JsonObject;
  let engine: string;
  if (postgresUrl) {
    database = { client: 'pg', connection: postgresUrl, prefix };
    engine = 'Postgres';
  } else if (inMemory) {
    database = { client: 'better-sqlite3', connection: ':memory:' };
    engine = 'SQLite in memory';
  } else {
    database = { client: 'better-sqlite3', connection: { directory: dbDir } };
    engine = journal
      ? "SQLite file, Backstage's default database service (rollback journal)"
      : 'SQLite file (WAL)';
  }
  const scheduler = captureCatalogScheduler();
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleScaffolderEntityModel,
      catalogModuleOrch,
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      scheduler.feature,
      journal ? backstageDatabaseServiceFactory : databaseServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://orch.bench' },
          backend: { database },
          orch: { runbooks: { dir: runbooks.root } },
        },
      }),
    ],
  });
  const catalog = catalogClient(backend.server);
  const components = 'kind=component,spec.type=orch-project';
  const templates = 'kind=template,spec.type=orch-project';
  const resources = 'kind=resource,spec.type=runbook';
  const expected = count * 2 + 2;
  try {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    await scheduler.triggerTask('OrchProjectEntityProvider:refresh');
    const provided = performance.now();
    let served = 0;
    for (;;) {
      // Several filters are OR'ed: one query counts the three kinds.
      served = await catalog.count([components, templates, resources]);
      if (served >= expected) {
        break;
      }
      if (performance.now() - start > 10 * 60_000) {
        throw new Error(
          `only ${served} of ${expected} entities after 10 minutes`,
        );
      }
      await delay(POLL_MS);
    }
    const stitched = performance.now();
    // Relations are stitched too: the last project depends on its runbooks
    // and, being odd, on the one before it.
    const last = `p${String(count - 1).padStart(5, '0')}`;
    const wantRelations = count % 2 === 0 ? 3 : 2;
    for (;;) {
      const entity = await catalog.get(
        `/entities/by-name/component/default/${last}`,
      );
      const dependsOn = (entity.body.relations ?? []).filter(
        (r: { type: string }) => r.type === 'dependsOn',
      );
      if (dependsOn.length === wantRelations) {
        break;
      }
      await delay(POLL_MS);
    }
    const related = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;

    const seconds = (stitched - start) / 1000;
    const perSecond = expected / seconds;
    const rows = [
      [
        'Manifests read and handed to the catalog (provider run)',
        '-',
        `${((provided - start) / 1000).toFixed(2)} s`,
        '-',
        '-',
      ],
      [
        `Processed and stitched, ${expected} entities served by the API`,
        '-',
        `${seconds.toFixed(2)} s`,
        '-',
        `< ${TARGET_SECONDS} s`,
      ],
      [
        'Entities per second (provider → API)',
        `${ANCHOR_PER_SECOND}/s ("hundreds", backstage#27628)`,
        `${perSecond.toFixed(0)}/s`,
        `${(perSecond / ANCHOR_PER_SECOND).toFixed(2)}×`,
        '-',
      ],
      [
        postgresUrl
          ? 'CPU time of this process (catalog, provider)'
          : 'CPU time of this process (catalog, provider; SQLite runs in it)',
        '-',
        `${cpuSeconds.toFixed(1)} s, ${(expected / cpuSeconds).toFixed(
          0,
        )} entities per CPU-second`,
        '-',
        '-',
      ],
      [
        'Last project with its dependsOn relations',
        '-',
        `${((related - start) / 1000).toFixed(2)} s`,
        '-',
        '-',
      ],
    ];
    console.log(
      `\nload average (1, 5, 15 min): ${os
        .loadavg()
        .map(l => l.toFixed(2))
        .join(', ')} on ${os.cpus().length} CPUs`,
    );
    console.log(
      `\ncatalog benchmark — ${count} orch.yaml manifests → ${count} Components + ${count} Templates + 2 Resources, ${engine}, one provider run\n`,
    );
    printTable(rows);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/catalog.json'),
      JSON.stringify(
        {
          date: new Date().toISOString(),
          manifests: count,
          entities: expected,
          database: engine,
          cpuSeconds,
          loadAverage: os.loadavg(),
          rows,
        },
        null,
        2,
      ),
    );
    process.exitCode = seconds < TARGET_SECONDS ? 0 : 1;
  } finally {
    await backend.stop();
    if (postgresUrl) {
      // The service leaves Postgres pools to the process's end; a database
      // with sessions on it cannot be dropped before they go.
      const admin = knexFactory({ client: 'pg', connection: postgresUrl });
      await admin.raw(
        `DROP DATABASE IF EXISTS ${prefix}catalog WITH (FORCE)`,
      );
      await admin.destroy();
    }
    await runbooks.remove();
    rmSync(dbDir, { recursive: true, force: true });
  }
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch(e => {
    console.error(e);
    process.exit(1);
  });
