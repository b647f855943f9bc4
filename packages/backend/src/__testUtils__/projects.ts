import { cpSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { REPO } from './testEnv';

/**
 * A manifests folder for tests: the repository's projects
 * (runbooks/manifests) plus the test projects of __testUtils__/manifests,
 * copied (the backend refuses manifests that link out of their folder).
 */
export function testManifestsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-manifests-'));
  cpSync(join(REPO, 'runbooks/manifests'), dir, { recursive: true });
  cpSync(join(REPO, 'packages/backend/src/__testUtils__/manifests'), dir, {
    recursive: true,
  });
  return dir;
}
