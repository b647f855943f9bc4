import { spawn } from 'child_process';
import { setTimeout as delay } from 'timers/promises';
import {
  groupsEmpty,
  killTree,
  listProcesses,
  ProcessTree,
} from './processTree';

function groupGone(pgid: number) {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('killTree', () => {
  it('kills a detached child and descendants that moved to their own session', async () => {
    // The child starts a grandchild in a new session (like pexpect does for
    // ansible-playbook), which itself ignores SIGTERM.
    const marker = `${40 + Math.floor(Math.random() * 1000) / 1000}`;
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `setsid /bin/sh -c 'trap "" TERM; sleep ${marker}; :' & sleep ${marker}; wait`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    const exited = new Promise(resolve => child.once('exit', resolve));
    await delay(300);
    const mine = () => listProcesses().filter(p => p.pid !== child.pid);
    const tree = new ProcessTree(child.pid!);
    tree.scan();
    const sessions = new Set(
      mine()
        .filter(p => tree.alive().includes(p.pid))
        .map(p => p.sid),
    );
    expect(sessions.size).toBe(2);
    expect(tree.processGroups().length).toBe(2);

    const started = Date.now();
    const left = await killTree(tree, 1000);
    await exited;
    expect(left).toEqual([]);
    // Not a speed check: the processes sleep 40 s, so ending well before
    // that proves they were killed rather than waited for.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(groupsEmpty(tree.processGroups())).toBe(true);
    // Orphans killed with their parent stay zombies until PID 1 reaps them.
    for (let i = 0; i < 100 && !groupGone(child.pid!); i++) await delay(100);
    expect(() => process.kill(-child.pid!, 0)).toThrow(/ESRCH/);
  });
});
