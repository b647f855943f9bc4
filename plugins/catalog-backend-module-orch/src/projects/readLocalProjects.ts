import fs from 'fs/promises';
import path from 'path';
import {
  MAX_MANIFEST_BYTES,
  ParseOrchManifestOptions,
  parseOrchManifest,
} from '@internal/backstage-plugin-orch-common';
import { LoadedProject } from './projectEntities';

const MANIFEST_FILE = 'orch.yaml';

/**
 * The projects under `<manifestsDir>/<folder>/orch.yaml`, each parsed and
 * validated. Never throws for one project: a manifest that cannot be read
 * (too big, a link leading out of the folder, invalid) comes back with its
 * errors. Throws only when the folder itself cannot be read.
 */
export async function readLocalProjects(
  manifestsDir: string,
  options: ParseOrchManifestOptions,
): Promise<LoadedProject[]> {
  const root = await fs.realpath(manifestsDir);
  const dirents = await fs.readdir(root, { withFileTypes: true });
  const folders = dirents
    .filter(d => d.isDirectory())
    .map(d => d.name)
    .sort();
  const projects: LoadedProject[] = [];
  for (const folder of folders) {
    const file = path.join(root, folder, MANIFEST_FILE);
    let text: string;
    try {
      const real = await fs.realpath(file);
      if (!real.startsWith(`${root}${path.sep}`)) {
        projects.push(
          broken(folder, file, 'the file links outside the manifests folder'),
        );
        continue;
      }
      const stat = await fs.stat(real);
      if (!stat.isFile()) {
        projects.push(broken(folder, file, 'not a file'));
        continue;
      }
      if (stat.size > MAX_MANIFEST_BYTES) {
        projects.push(
          broken(
            folder,
            file,
            `the manifest is ${stat.size} bytes, more than the limit of ${MAX_MANIFEST_BYTES}`,
            'size',
          ),
        );
        continue;
      }
      text = await fs.readFile(real, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        continue; // a folder without a manifest is not a project
      }
      projects.push(
        broken(
          folder,
          file,
          `cannot read the file: ${(error as Error).message}`,
        ),
      );
      continue;
    }
    const { manifest, errors } = parseOrchManifest(text, options);
    projects.push({
      name: manifest?.metadata.name ?? entityName(folder),
      location: `file:${file}`,
      manifestLocation: `file:${file}`,
      manifest,
      errors,
    });
  }
  return projects;
}

function broken(
  folder: string,
  file: string,
  message: string,
  rule = 'file',
): LoadedProject {
  return {
    name: entityName(folder),
    location: `file:${file}`,
    manifestLocation: `file:${file}`,
    errors: [{ path: '', rule, message }],
  };
}

/** A name the catalog accepts, from a folder or repository name. */
export function entityName(value: string): string {
  const name = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return name || 'project';
}
