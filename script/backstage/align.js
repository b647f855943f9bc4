#!/usr/bin/env node
/*
 * Pins every @backstage/* package of the repository to ONE Backstage release.
 *
 *   node script/backstage/align.js script/backstage/release-<version>.json
 *   yarn install
 *
 * Direct dependencies get `^<version>` from the manifest, and root
 * `resolutions` force the same exact version for transitive ones, so the lock
 * file holds one version of each core package. `backstage-cli versions:bump`
 * does this from the network; it cannot reach its manifest host here, hence
 * this script and the manifest committed beside it (docs/upgrading-backstage.md).
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const manifestPath = process.argv[2];
if (!manifestPath) {
  console.error('usage: align.js <release manifest json>');
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const versions = new Map(manifest.packages.map(p => [p.name, p.version]));

const workspaces = ['package.json'];
for (const dir of ['packages', 'plugins']) {
  for (const name of fs.readdirSync(path.join(root, dir))) {
    const p = path.join(dir, name, 'package.json');
    if (fs.existsSync(path.join(root, p))) workspaces.push(p);
  }
}

const unknown = new Set();
for (const file of workspaces) {
  const full = path.join(root, file);
  const pkg = JSON.parse(fs.readFileSync(full, 'utf8'));
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (!name.startsWith('@backstage/')) continue;
      const v = versions.get(name);
      if (v) pkg[field][name] = `^${v}`;
      else unknown.add(name);
    }
  }
  if (file === 'package.json') {
    const resolutions = Object.fromEntries(
      Object.entries(pkg.resolutions ?? {}).filter(
        ([k]) => !k.startsWith('@backstage/'),
      ),
    );
    for (const [name, v] of versions) resolutions[name] = v;
    pkg.resolutions = resolutions;
  }
  fs.writeFileSync(full, `${JSON.stringify(pkg, null, 2)}\n`);
}
fs.writeFileSync(
  path.join(root, 'backstage.json'),
  `${JSON.stringify({ version: manifest.releaseVersion }, null, 2)}\n`,
);
if (unknown.size) {
  console.error(
    `not in the manifest (left as they are): ${[...unknown].join(', ')}`,
  );
  process.exitCode = 1;
}
console.log(`aligned ${workspaces.length} package.json files on Backstage ${manifest.releaseVersion}`);
