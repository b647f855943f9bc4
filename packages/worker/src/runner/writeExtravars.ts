import { toUnsafeExtravarsYaml } from '@internal/backstage-plugin-orch-node';
import { writeFile } from 'fs/promises';

/**
 * The extravars YAML: every string (and mapping key) tagged `!unsafe`, so
 * Ansible never evaluates user text as Jinja. One implementation, shared
 * with orch-node's own tests.
 */
export const toUnsafeYaml = toUnsafeExtravarsYaml;

/**
 * Writes `env/extravars` for ansible-runner: readable by the owner only,
 * and never over an existing file.
 */
export async function writeExtravars(
  path: string,
  vars: Record<string, unknown>,
): Promise<void> {
  await writeFile(path, toUnsafeYaml(vars), { mode: 0o600, flag: 'wx' });
}
