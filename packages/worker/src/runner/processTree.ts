import { readdirSync, readFileSync } from 'fs';
import { setTimeout as delay } from 'timers/promises';

/**
 * One process as seen in `/proc/<pid>/stat`.
 * @public
 */
export type ProcInfo = {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Start time in clock ticks since boot: tells a reused pid apart. */
  start: string;
  state: string;
};

function readStat(pid: number): ProcInfo | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session tty tpgid flags ... starttime(22)";
  // comm may hold spaces and parentheses, so split after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: f[0],
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    start: f[19],
  };
}

/** Whether a process's environment holds exactly this `NAME=value` entry. */
export function hasEnvEntry(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry);
  } catch {
    return false;
  }
}

/**
 * Every live process of the machine (from /proc; empty where /proc is
 * missing). Zombies are left out: they are dead, only not yet reaped.
 * @public
 */
export function listProcesses(): ProcInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const p = readStat(Number(n));
    if (p && p.state !== 'Z' && p.state !== 'X') out.push(p);
  }
  return out;
}

/**
 * The process tree of one spawned child, followed across the new sessions
 * and groups its descendants create (ansible-runner starts ansible-playbook
 * through pexpect in a new session, so killing the runner's own process
 * group is not enough). A process belongs to the tree when its parent,
 * process group or session is a member; members are remembered with their
 * start time so a recycled pid is never mistaken for one.
 * @public
 */
export class ProcessTree {
  private readonly members = new Map<number, string>();
  private readonly groups = new Set<number>();
  private readonly own: { pid: number; pgid?: number; sid?: number };

  /**
   * @param rootPid - the spawned child.
   * @param marker - an environment entry (`NAME=value`) set on the child:
   *   every descendant inherits it, so it finds processes whose parent died
   *   before a scan saw them (reparented to init, in a session of their own).
   */
  constructor(readonly rootPid: number, private readonly marker?: string) {
    const self = readStat(process.pid);
    this.own = { pid: process.pid, pgid: self?.pgid, sid: self?.sid };
    const root = readStat(rootPid);
    if (root) this.members.set(rootPid, root.start);
    this.groups.add(rootPid);
  }

  /** Adds processes that joined the tree since the last scan. */
  scan(): void {
    const all = listProcesses();
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of all) {
        if (this.members.has(p.pid) || p.pid === this.own.pid) continue;
        if (
          this.members.has(p.ppid) ||
          this.members.has(p.pgid) ||
          this.members.has(p.sid) ||
          this.groups.has(p.pgid) ||
          (this.marker !== undefined && hasEnvEntry(p.pid, this.marker))
        ) {
          this.members.set(p.pid, p.start);
          if (p.pgid !== this.own.pgid) this.groups.add(p.pgid);
          grew = true;
        }
      }
    }
  }

  /** Members still alive (same pid, same start time, not a zombie). */
  alive(): number[] {
    const out: number[] = [];
    for (const [pid, start] of this.members) {
      const p = readStat(pid);
      if (p && p.start === start && p.state !== 'Z' && p.state !== 'X') {
        out.push(pid);
      }
    }
    return out;
  }

  /** Process groups seen in the tree (the root's group included). */
  processGroups(): number[] {
    return [...this.groups];
  }

  /** Sends `signal` to every known group and every live member. */
  signal(signal: NodeJS.Signals): void {
    for (const g of this.groups) {
      if (g <= 1 || g === this.own.pgid) continue;
      try {
        process.kill(-g, signal);
      } catch {
        // group already gone
      }
    }
    for (const pid of this.alive()) {
      if (pid === this.own.pid) continue;
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Kills a whole process tree: SIGTERM to every process group and member of
 * the tree, then SIGKILL to whatever is left after `graceMs`; finally waits
 * (up to 2 s more) until no member and no process of those groups remains.
 * Resolves with the pids still alive at the end (empty on success).
 * @public
 */
export async function killTree(
  tree: ProcessTree,
  graceMs = 5000,
): Promise<number[]> {
  tree.scan();
  tree.signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(50);
    tree.scan();
    if (tree.alive().length === 0 && groupsEmpty(tree.processGroups()))
      return [];
  }
  tree.scan();
  tree.signal('SIGKILL');
  const end = Date.now() + 2000;
  while (Date.now() < end) {
    await delay(50);
    tree.scan();
    if (tree.alive().length === 0 && groupsEmpty(tree.processGroups()))
      return [];
    tree.signal('SIGKILL');
  }
  return tree.alive();
}

/** Whether no live (non-zombie) process belongs to any of `groups`. */
export function groupsEmpty(groups: number[]): boolean {
  const set = new Set(groups);
  return !listProcesses().some(p => set.has(p.pgid));
}
