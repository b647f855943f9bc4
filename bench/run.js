#!/usr/bin/env node
/*
 * `yarn bench <name>` runs bench/<name>.bench.ts with Backstage's TypeScript
 * transform. Each benchmark prints a table with the anchor (what another tool
 * achieves, with its source), our figure and the ratio, measured in the same run.
 * Benchmarks never run inside script/test.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const names = fs
  .readdirSync(__dirname)
  .filter(f => f.endsWith('.bench.ts'))
  .map(f => f.replace(/\.bench\.ts$/, ''));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(
    `usage: yarn bench <name>\navailable: ${names.length ? names.join(', ') : '(none yet)'}`,
  );
  process.exit(name ? 2 : 0);
}
const transform = require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
  paths: [path.join(__dirname, '../packages/backend')],
});
const result = spawnSync(
  process.execPath,
  ['--require', transform, path.join(__dirname, `${name}.bench.ts`), ...process.argv.slice(3)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
