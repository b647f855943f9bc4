// Test helpers for the runner tests: a throw-away Ansible project with tiny
// playbooks, a canary-based redactor, and process-table probes. Not used by
// production code.
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { setTimeout as delay } from 'timers/promises';
import type { ExecuteRequest, RunnerEvent } from './types';

/** A secret value that must never show up anywhere. */
export const canary = `canary-${randomBytes(8).toString('hex')}`;
export const MASK = '********';

/** Replaces the canary deeply, like the worker's Redactor would. */
export function redact(value: unknown): unknown {
  if (typeof value === 'string') return value.split(canary).join(MASK);
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redact(v)]),
    );
  }
  return value;
}

const PLAY = '- hosts: localhost\n  gather_facts: false\n  tasks:\n';
const PLAYBOOKS: Record<string, string> = {
  'hello.yml': `${PLAY}
    - name: first
      debug: { msg: "hello {{ who }}" }
    - pause: { seconds: 2 }
    - name: second
      debug: { msg: "job {{ orch_job_id }}" }
    - set_stats: { data: { greeting: "hello {{ who }}", count: 3 } }
`,
  'inject.yml': `${PLAY}
    - debug: { msg: "{{ message }}" }
    - set_stats: { data: { echoed: "{{ message }}", nested: "{{ deep.list }}" } }
`,
  'fail.yml': `${PLAY}
    - name: ignored failure
      fail: { msg: ignored }
      ignore_errors: true
    - name: explode here
      fail: { msg: boom }
    - name: never reached
      debug: { msg: nope }
`,
  'ping.yml': `- hosts: all
  gather_facts: false
  tasks:
    - name: knock knock
      ping:
`,
  'secret.yml': `${PLAY}
    - debug: { msg: "token is {{ api_token }}" }
    - debug: { msg: "{{ lookup('file', orch_files_dir + '/id_key') }}" }
    - stat: { path: "{{ orch_files_dir }}/id_key" }
      register: key
    - set_stats: { data: { token: "{{ api_token }}", mode: "{{ key.stat.mode }}" } }
`,
  'sleep.yml': `${PLAY}
    - debug: { msg: started }
    - command: sleep {{ seconds }}
`,
  'syntax.yml': `${PLAY}
    - debug: msg="x"
    - set_stats: data={{ {'a': 1} }}
`,
  'trivial.yml': `${PLAY}
    - debug: { msg: hi }
`,
};

/** A temp project (playbooks/, inventory/, ansible.cfg) plus data and artifacts roots. */
export type TestProject = {
  base: string;
  projectDir: string;
  dataRoot: string;
  artifactsRoot: string;
  /** A request with defaults (hello.yml, 30 s); `events` collects what onEvent got. */
  request(
    jobId: string,
    overrides?: Partial<ExecuteRequest>,
  ): { req: ExecuteRequest; events: RunnerEvent[] };
  /** Private data dirs still present under dataRoot. */
  leftoverDataDirs(): string[];
  /** Whether the project dir (used read-only) still holds exactly what was written. */
  projectUnchanged(): boolean;
  remove(): void;
};

export function createTestProject(): TestProject {
  const base = mkdtempSync(join(tmpdir(), 'runner-test-'));
  const projectDir = join(base, 'project');
  const dataRoot = join(base, 'data');
  const artifactsRoot = join(base, 'artifacts');
  mkdirSync(join(projectDir, 'playbooks'), { recursive: true });
  mkdirSync(join(projectDir, 'inventory'));
  for (const [name, text] of Object.entries(PLAYBOOKS)) {
    writeFileSync(join(projectDir, 'playbooks', name), text);
  }
  writeFileSync(
    join(projectDir, 'inventory', 'hosts.yml'),
    'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n' +
      '      ansible_python_interpreter: /usr/bin/python3\n',
  );
  // Nothing listens on port 1: the host is unreachable at once.
  writeFileSync(
    join(projectDir, 'inventory', 'unreachable.yml'),
    'all:\n  hosts:\n    ghost:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n',
  );
  writeFileSync(
    join(projectDir, 'ansible.cfg'),
    '[defaults]\nretry_files_enabled = False\n',
  );
  const listing = () => filesUnder(projectDir).sort().join('\n');
  const initial = listing();
  return {
    base,
    projectDir,
    dataRoot,
    artifactsRoot,
    request(jobId, overrides = {}) {
      const events: RunnerEvent[] = [];
      const req: ExecuteRequest = {
        jobId,
        projectDir,
        playbook: 'playbooks/hello.yml',
        extravars: {},
        secrets: {},
        timeoutMs: 30_000,
        dataRoot,
        artifactsRoot,
        redact,
        onEvent: e => {
          events.push(e);
        },
        ...overrides,
      };
      return { req, events };
    },
    leftoverDataDirs: () => readdirSync(dataRoot),
    projectUnchanged: () => listing() === initial,
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** Processes whose pgid is `pgid` (zombies included), from ps. */
export function psGroup(pgid: number): Array<{ pid: number; stat: string }> {
  return execFileSync('ps', ['-eo', 'pgid=,pid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map(l => l.trim().split(/\s+/))
    .filter(f => f[0] === String(pgid))
    .map(f => ({ pid: Number(f[1]), stat: f[2] }));
}

/** `pid pgid args` lines of ps whose command line contains `text`. */
export function psMatching(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter(l => l.includes(text) && !l.includes('ps -eo'));
}

/** pgid of the live ansible-runner of this job, found through ps. */
export function runnerPgid(jobId: string): number {
  const line = psMatching(`--ident ${jobId}`).find(l =>
    l.includes('ansible-runner'),
  );
  if (!line) throw new Error('runner not found');
  return Number(line.trim().split(/\s+/)[1]);
}

/**
 * Waits (up to 10 s) until the group has no process at all, zombies
 * included: orphans killed with their parent stay zombies until PID 1 reaps
 * them (about every second here).
 */
export async function waitUntilGroupReaped(pgid: number): Promise<void> {
  for (let i = 0; i < 100 && psGroup(pgid).length > 0; i++) await delay(100);
}

/** Every regular file under `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(d => d.isFile())
    .map(d => join(d.parentPath, d.name));
}
