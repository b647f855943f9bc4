import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { MAX_MANIFEST_BYTES } from '@internal/backstage-plugin-orch-common';
import { manifest, writeRunbooksRoot } from '../__testUtils__/projectFixtures';
import { entityName, readLocalProjects } from './readLocalProjects';

describe('readLocalProjects', () => {
  it('reads each folder’s orch.yaml, refuses big files and links leading out, skips folders without one', async () => {
    const root = await writeRunbooksRoot({
      good: manifest('good'),
      big: `# ${'x'.repeat(MAX_MANIFEST_BYTES)}\n`,
      Weird_Name: 'apiVersion: orch/v1\n',
    });
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-outside-'));
    try {
      await fs.writeFile(path.join(outside, 'orch.yaml'), manifest('stolen'));
      await fs.mkdir(path.join(root.manifestsDir, 'linked'));
      await fs.symlink(
        path.join(outside, 'orch.yaml'),
        path.join(root.manifestsDir, 'linked', 'orch.yaml'),
      );
      await fs.mkdir(path.join(root.manifestsDir, 'empty'));

      const projects = await readLocalProjects(root.manifestsDir, {});
      const dir = await fs.realpath(root.manifestsDir);
      expect(
        projects.map(p => [p.name, p.location, p.errors.map(e => e.rule)]),
      ).toEqual([
        [
          'weird-name',
          `file:${dir}/Weird_Name/orch.yaml`,
          ['required', 'required', 'required'],
        ],
        ['big', `file:${dir}/big/orch.yaml`, ['size']],
        ['good', `file:${dir}/good/orch.yaml`, []],
        ['linked', `file:${dir}/linked/orch.yaml`, ['file']],
      ]);
      expect(projects[3].errors[0].message).toBe(
        'the file links outside the manifests folder',
      );
      expect(projects[2].manifest?.metadata.name).toBe('good');
    } finally {
      await root.remove();
      await fs.rm(outside, { recursive: true, force: true });
    }
  });

  it('makes entity names of folder and repository names', () => {
    expect(entityName('My_Project.v2')).toBe('my-project-v2');
    expect(entityName('---')).toBe('project');
  });
});
