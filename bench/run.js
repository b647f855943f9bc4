#!/usr/bin/env node
/*
 * `yarn bench <name>` runs bench/<name>.bench.ts with Backstage's TypeScript
 * transform. Each benchmark prints a table with the anchor (what another tool
 * achieves, with its source), our figure and the ratio, measured in the same run.
 * script/test runs each once at smoke size (--smoke), never timed.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const names = fs
  .readdirSync(__dirname)
  .filter(f => f.endsWith('.bench.ts'))
  .map(f => f.replace(/\.bench\.ts$/, ''));
const smoke = process.argv.includes('--smoke') || process.env.ORCH_BENCH_SMOKE === '1';
const args = process.argv.slice(2).filter(a => a !== '--smoke');
const name = args[0];
if (!name || !names.includes(name)) {
  console.error(
    `usage: yarn bench <name>\navailable: ${names.length ? names.join(', ') : '(none yet)'}`,
  );
  process.exit(name ? 2 : 0);
}
/** Each benchmark's knobs at smoke size: environment variables and arguments. */
const SMOKE = {
  auth: { env: { ORCH_BENCH_ROUNDS: '2' } },
  catalog: { args: ['--manifests', '10', '--memory'] },
  jobs: { env: { BENCH_LAUNCHES: '50', BENCH_EVENTS: '1000', BENCH_RUNS: '1' } },
  monitoring: { env: { BENCH_DEATHS: '3', BENCH_BURST_SECONDS: '1', BENCH_CONTAINERS: '200' } },
  portainer: { args: ['--containers', '200', '--runs', '3'] },
  ui: { env: { BENCH_LINES: '5000', BENCH_TAIL_SECONDS: '2', BENCH_TAIL_RATE: '500' } },
};
const env = { ...process.env };
if (env.ORCH_TEST_POSTGRES_URL && !env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) {
  env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING = env.ORCH_TEST_POSTGRES_URL;
}
let extra = args.slice(1);
if (smoke) {
  env.ORCH_BENCH_SMOKE = '1';
  const knobs = SMOKE[name] ?? {};
  for (const [k, v] of Object.entries(knobs.env ?? {})) env[k] = env[k] ?? v;
  const given = new Set(extra.filter(a => a.startsWith('--')));
  const defaults = knobs.args ?? [];
  for (let i = 0; i < defaults.length; i++) {
    if (!defaults[i].startsWith('--')) continue;
    const takesValue = i + 1 < defaults.length && !defaults[i + 1].startsWith('--');
    if (!given.has(defaults[i]) && !(defaults[i] === '--memory' && given.has('--postgres'))) {
      extra.push(defaults[i], ...(takesValue ? [defaults[i + 1]] : []));
    }
    if (takesValue) i++;
  }
}
const transform = require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
  paths: [path.join(__dirname, '../packages/backend')],
});
const result = spawnSync(
  process.execPath,
  ['--require', transform, path.join(__dirname, `${name}.bench.ts`), ...extra],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
