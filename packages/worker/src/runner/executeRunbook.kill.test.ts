import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { executeRunbook } from './executeRunbook';
import {
  createTestProject,
  psGroup,
  psMatching,
  runnerPgid,
  TestProject,
  waitUntilGroupReaped,
} from './runnerTestKit';

jest.setTimeout(60_000);

let p: TestProject;
beforeAll(() => {
  p = createTestProject();
});
afterAll(() => p.remove());

/** No live process in the group now, and no process at all once reaped. */
async function expectGroupGone(pgid: number) {
  expect(psGroup(pgid).filter(x => !x.stat.startsWith('Z'))).toEqual([]);
  await waitUntilGroupReaped(pgid);
  expect(() => process.kill(-pgid, 0)).toThrow(/ESRCH/);
  expect(psGroup(pgid)).toEqual([]);
}

describe('executeRunbook cancel and timeout', () => {
  afterEach(() => {
    const left = p.leftoverDataDirs();
    if (left.length) {
      throw new Error(`private data dirs left behind: ${left.join(', ')}`);
    }
    if (!p.projectUnchanged())
      throw new Error('the project dir was written to');
  });

  it('cancels mid-run and leaves no process behind', async () => {
    const jobId = 'job-cancel';
    const controller = new AbortController();
    const groups: number[] = [];
    let abortedAt = 0;
    let moduleTempInDataDir = false;
    const { req } = p.request(jobId, {
      playbook: 'playbooks/sleep.yml',
      extravars: { seconds: 91.7 },
      signal: controller.signal,
      onEvent: e => {
        if (
          abortedAt ||
          e.event !== 'runner_on_start' ||
          e.event_data?.task_action !== 'command'
        )
          return;
        // Wait until the sleep itself runs, then note every group involved.
        for (let i = 0; i < 50 && psMatching('sleep 91.7').length === 0; i++) {
          execFileSync('sleep', ['0.1']);
        }
        groups.push(runnerPgid(jobId));
        for (const l of psMatching('sleep 91.7'))
          groups.push(Number(l.trim().split(/\s+/)[1]));
        // The module file of a local task lives in the private data dir.
        moduleTempInDataDir = psMatching('AnsiballZ_command.py').some(l =>
          l.includes(`${p.dataRoot}/job-`),
        );
        abortedAt = Date.now();
        controller.abort();
      },
    });
    const result = await executeRunbook(req);
    expect(result.status).toBe('canceled');
    expect(moduleTempInDataDir).toBe(true);
    expect(result.error).toBeUndefined();
    // Not a speed check: the task sleeps 91.7 s, so ending well before that
    // proves the cancel stopped it rather than waiting for it.
    expect(Date.now() - abortedAt).toBeLessThan(45_000);
    expect(new Set(groups).size).toBe(2); // the runner's and ansible-playbook's
    for (const g of groups) await expectGroupGone(g);
    expect(psMatching('sleep 91.7')).toEqual([]);
    const output = JSON.parse(
      readFileSync(join(p.artifactsRoot, jobId, 'output.json'), 'utf8'),
    );
    expect(output.status).toBe('canceled');
  });

  it('times out and leaves no process behind', async () => {
    const jobId = 'job-timeout';
    const groups = new Set<number>();
    const { req } = p.request(jobId, {
      playbook: 'playbooks/sleep.yml',
      extravars: { seconds: 92.3 },
      timeoutMs: 5000,
      onEvent: e => {
        // ansible-playbook (pid of its first event) leads its own session and group.
        if (e.event === 'playbook_on_start' && e.pid) groups.add(e.pid);
      },
    });
    // Note every process group of the run while it goes on: the runner's,
    // and ansible-playbook's (which the sleep belongs to).
    const poll = setInterval(() => {
      for (const l of [
        ...psMatching(`--ident ${jobId}`),
        ...psMatching('sleep 92.3'),
      ]) {
        groups.add(Number(l.trim().split(/\s+/)[1]));
      }
    }, 100);
    const started = Date.now();
    const result = await executeRunbook(req).finally(() => clearInterval(poll));
    expect(result.status).toBe('timeout');
    expect(result.rc).not.toBe(0);
    // Not a speed check: the task sleeps 92.3 s, so ending well before that
    // proves the timeout stopped it rather than waiting for it.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(groups.size).toBe(2);
    for (const g of groups) await expectGroupGone(g);
    expect(psMatching('sleep 92.3')).toEqual([]);
  });

  it('does not start at all when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { req, events } = p.request('job-preaborted', {
      signal: controller.signal,
    });
    const result = await executeRunbook(req);
    expect(result).toMatchObject({
      status: 'canceled',
      rc: null,
      eventCount: 0,
    });
    expect(events).toEqual([]);
  });
});
