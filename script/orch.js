#!/usr/bin/env node
/*
 * `yarn orch <command>`: Orch's admin CLI for operators without the UI
 * (packages/worker/src/cli.ts, run with Backstage's TypeScript transform).
 * It reads the same configuration as the backend: run it from the
 * repository root, with the same app-config files and environment.
 */
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const transform = require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
  paths: [path.join(root, 'packages/worker')],
});
const result = spawnSync(
  process.execPath,
  ['--require', transform, path.join(root, 'packages/worker/src/cli.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: process.cwd() },
);
process.exit(result.status ?? 1);
