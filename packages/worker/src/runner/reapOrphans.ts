import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { OWNER_FILE, RUN_MARKER, procStart, removeDataDir } from './dataDir';
import {
  ProcessTree,
  hasEnvEntry,
  killTree,
  listProcesses,
} from './processTree';

/** What a reap found and did. @public */
export type ReapReport = { dirs: string[]; killed: number };

function ownerAlive(dir: string): boolean {
  let stamp: string;
  try {
    stamp = readFileSync(join(dir, OWNER_FILE), 'utf8').trim();
  } catch {
    return false;
  }
  const [pid, start] = stamp.split(' ');
  const now = procStart(Number(pid));
  return now !== undefined && (start === undefined || now === start);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * Cleans up after workers that died without a word (SIGKILL, OOM, a lost
 * node): for every private data dir under `dataRoot` whose owner process is
 * gone, it ends the ansible-runner tree still working in it (found by the
 * dir's path on its command line, then followed across sessions and groups)
 * and deletes the dir, which may hold secrets. Dirs of live owners (other
 * workers on this host) are left alone.
 * @public
 */
export async function reapOrphans(dataRoot: string): Promise<ReapReport> {
  let names: string[];
  try {
    names = readdirSync(dataRoot).filter(n => n.startsWith('job-'));
  } catch {
    return { dirs: [], killed: 0 };
  }
  const report: ReapReport = { dirs: [], killed: 0 };
  for (const name of names) {
    const dir = join(dataRoot, name);
    if (ownerAlive(dir)) continue;
    const roots = listProcesses()
      .filter(
        p =>
          hasEnvEntry(p.pid, `${RUN_MARKER}=${dir}`) ||
          commandLine(p.pid).includes(dir),
      )
      .map(p => p.pid);
    for (const pid of roots) {
      const tree = new ProcessTree(pid, `${RUN_MARKER}=${dir}`);
      tree.scan();
      report.killed += tree.alive().length;
      await killTree(tree, 2000);
    }
    await removeDataDir(dir);
    report.dirs.push(dir);
  }
  return report;
}
