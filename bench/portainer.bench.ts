/*
 * yarn bench portainer — listing a large Portainer inventory through Orch
 * (bench/monitoring/listing.ts; also part of yarn bench monitoring).
 *
 *  Options: --containers N (default 5000), --runs N (default 30).
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { listingBenchmarks } from './monitoring/listing';
import { printTable } from './table';

const ROOT = resolve(__dirname, '..');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

async function main() {
  const count = arg('containers', 5000);
  const runs = arg('runs', 30);
  const { rows, ok } = await listingBenchmarks(count, runs);
  console.log(
    `\nportainer benchmark — ${count} synthetic containers through the fake Portainer, ${runs} runs\n`,
  );
  printTable(rows);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/portainer.json'),
    JSON.stringify(
      { date: new Date().toISOString(), containers: count, runs, rows },
      null,
      2,
    ),
  );
  process.exit(ok ? 0 : 1);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
