#!/usr/bin/env node
/*
 * Fails when yarn.lock holds more than one version of any @backstage/*
 * package, or a version other than the release in backstage.json pins.
 * Run by script/test (as a test of the repository itself).
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const release = JSON.parse(fs.readFileSync(path.join(root, 'backstage.json'), 'utf8')).version;
const manifest = JSON.parse(
  fs.readFileSync(path.join(__dirname, `release-${release}.json`), 'utf8'),
);
const pinned = new Map(manifest.packages.map(p => [p.name, p.version]));

const found = new Map();
for (const block of fs.readFileSync(path.join(root, 'yarn.lock'), 'utf8').split('\n\n')) {
  const header = block.split('\n')[0];
  const version = (block.match(/\n {2}version: (.*)/) || [])[1];
  for (const m of header.matchAll(/"?(@backstage\/[^@"]+)@/g)) {
    if (!found.has(m[1])) found.set(m[1], new Set());
    found.get(m[1]).add(version);
  }
}
const problems = [];
for (const [name, set] of found) {
  if (set.size > 1) problems.push(`${name}: ${[...set].join(', ')}`);
  else if (pinned.has(name) && !set.has(pinned.get(name)))
    problems.push(`${name}: ${[...set][0]}, release ${release} pins ${pinned.get(name)}`);
  else if (!pinned.has(name)) problems.push(`${name}: not part of release ${release}'s manifest`);
}
if (problems.length) {
  console.error(`yarn.lock strays from Backstage ${release}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`yarn.lock: ${found.size} @backstage packages, one version each, all from release ${release}`);
