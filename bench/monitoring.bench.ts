/*
 * yarn bench monitoring — Docker monitoring against its anchors, measured in
 * one run, on the real dockerd.
 *
 * Parts (one module each under bench/monitoring/):
 *  - incidents.ts: container death → incident visible (p50/p99), and a burst
 *    of 1,000 events/s for 10 s with no event lost — portainer-node's
 *    watcher, engine and store, on SQLite and (when
 *    BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING or
 *    ORCH_BENCH_POSTGRES_URL is set) Postgres.
 *
 *  - listing.ts: 5,000 containers listed through GET /v1/containers from the
 *    fake Portainer, beside the raw Portainer call.
 *
 * Knobs: BENCH_DEATHS (30), BENCH_BURST_SECONDS (10), BENCH_CONTAINERS (5000).
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { incidentBenchmarks, type Row } from './monitoring/incidents';
import { listingBenchmarks } from './monitoring/listing';
import { printTable } from './table';

const ROOT = resolve(__dirname, '..');

async function main() {
  const incidents = await incidentBenchmarks();
  const listing = await listingBenchmarks(
    Number(process.env.BENCH_CONTAINERS ?? 5000),
    30,
  );
  const rows = [...incidents.rows, ...(listing.rows as Row[])];
  console.log('\nmonitoring benchmark — real dockerd, fake Portainer for the listing\n');
  printTable(rows);
  if (incidents.note) console.log(`\n${incidents.note}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/monitoring.json'),
    JSON.stringify(
      { date: new Date().toISOString(), rows, notes: incidents.note },
      null,
      2,
    ),
  );
  process.exit(incidents.ok && listing.ok ? 0 : 1);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
