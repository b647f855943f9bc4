import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import fs from 'fs/promises';
import os from 'os';
import path from 'path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  ensureBusyboxImage,
  TEST_BUSYBOX_IMAGE,
} from '../testUtils/dockerImages';
import { RunbookCatalog } from './RunbookCatalog';
import { toUnsafeExtravarsYaml } from './extravars';

/*
 * Runs the repository's runbooks for real, the way the worker does: a private
 * data dir (0700) with the runbooks as `project`, the inventory, and
 * `env/extravars` with every user value tagged !unsafe; then
 * `ansible-runner run <dir> -p <playbook> --json -i <ident>`.
 */

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const RUNBOOKS_DIR = path.join(REPO_ROOT, 'runbooks');
const STACKS_DIR = path.join(REPO_ROOT, 'stacks');
const ANSIBLE_RUNNER = '/usr/bin/ansible-runner';

type RunnerEvent = {
  uuid: string;
  counter: number;
  event: string;
  stdout?: string;
  event_data?: {
    task?: string;
    res?: Record<string, any>;
    artifact_data?: Record<string, any>;
    [key: string]: unknown;
  };
};

type RunResult = {
  /** Exit code of ansible-runner. */
  code: number | null;
  /** `artifacts/<ident>/rc` and `status`. */
  rc: number;
  status: string;
  events: RunnerEvent[];
  /** `event_data.artifact_data` of `playbook_on_stats`: what set_stats returned. */
  outputs: Record<string, any> | undefined;
  stdout: string;
  stderr: string;
};

let catalog: RunbookCatalog;

beforeAll(async () => {
  catalog = await RunbookCatalog.load({
    rootDir: RUNBOOKS_DIR,
    logger: mockServices.logger.mock(),
  });
  if (catalog.problems.length > 0) {
    throw new Error(`runbook problems: ${JSON.stringify(catalog.problems)}`);
  }
});

/**
 * Validates the inputs like the API does (defaults filled), then runs the
 * runbook with them plus the worker's own extra vars.
 */
async function runRunbook(
  name: string,
  inputs: Record<string, unknown>,
  workerVars: Record<string, unknown> = {},
): Promise<RunResult> {
  const runbook = catalog.get(name);
  if (!runbook) {
    throw new Error(`no runbook ${name}`);
  }
  const validation = catalog.validateInputs(name, inputs);
  if (!validation.valid) {
    throw new Error(
      `invalid inputs for ${name}: ${JSON.stringify(validation.errors)}`,
    );
  }
  return runPlaybook(runbook.playbook, { ...validation.value, ...workerVars });
}

async function runPlaybook(
  playbook: string,
  vars: Record<string, unknown>,
): Promise<RunResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-job-'));
  try {
    await fs.chmod(dir, 0o700);
    await fs.symlink(RUNBOOKS_DIR, path.join(dir, 'project'));
    await fs.cp(
      path.join(RUNBOOKS_DIR, 'inventory'),
      path.join(dir, 'inventory'),
      {
        recursive: true,
      },
    );
    await fs.mkdir(path.join(dir, 'env'), { mode: 0o700 });
    await fs.writeFile(
      path.join(dir, 'env', 'extravars'),
      toUnsafeExtravarsYaml(vars),
      {
        mode: 0o600,
      },
    );

    const ident = 'job';
    const child = spawn(
      ANSIBLE_RUNNER,
      ['run', dir, '-p', playbook, '--json', '-i', ident],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => {
      stdout += d;
    });
    child.stderr.on('data', d => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });

    // --json prints one event per line; anything else (there should be none) is skipped.
    const events: RunnerEvent[] = [];
    for (const line of stdout.split('\n')) {
      if (line.startsWith('{')) {
        events.push(JSON.parse(line));
      }
    }
    const artifacts = path.join(dir, 'artifacts', ident);
    const rc = Number(
      (await fs.readFile(path.join(artifacts, 'rc'), 'utf8')).trim(),
    );
    const status = (
      await fs.readFile(path.join(artifacts, 'status'), 'utf8')
    ).trim();
    const stats = events.find(e => e.event === 'playbook_on_stats');
    return {
      code,
      rc,
      status,
      events,
      outputs: stats?.event_data?.artifact_data,
      stdout,
      stderr,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function taskEvents(result: RunResult, task: string, event?: string) {
  return result.events.filter(
    e =>
      e.event_data?.task === task && (event === undefined || e.event === event),
  );
}

describe('runbook hello', () => {
  it('prints the message count times and returns it', async () => {
    const result = await runRunbook('hello', {
      message: 'hello world',
      count: 3,
    });
    expect(result).toMatchObject({
      code: 0,
      rc: 0,
      status: 'successful',
      stderr: '',
    });
    const printed = taskEvents(result, 'Say the message', 'runner_item_on_ok');
    expect(printed.map(e => e.event_data!.res!.msg)).toEqual(
      Array(3).fill('hello world'),
    );
    expect(result.outputs).toEqual({ message: 'hello world' });
    // Counters number the events from 1, in order; the last one is the stats.
    expect(result.events.map(e => e.counter)).toEqual(
      result.events.map((_, i) => i + 1),
    );
    expect(result.events[result.events.length - 1].event).toBe(
      'playbook_on_stats',
    );
  }, 60_000);

  it('prints once by default', async () => {
    const result = await runRunbook('hello', { message: 'once' });
    expect(result.rc).toBe(0);
    expect(
      taskEvents(result, 'Say the message', 'runner_item_on_ok'),
    ).toHaveLength(1);
  }, 60_000);

  it('never evaluates Jinja in its input', async () => {
    const message = "{{ lookup('pipe','id') }}";
    const result = await runRunbook('hello', { message, count: 2 });
    expect(result.rc).toBe(0);
    const printed = taskEvents(result, 'Say the message', 'runner_item_on_ok');
    expect(printed.map(e => e.event_data!.res!.msg)).toEqual([
      message,
      message,
    ]);
    expect(result.outputs).toEqual({ message });
    expect(result.stdout).not.toContain('uid=');
  }, 60_000);
});

describe('runbook system_facts', () => {
  it('returns a summary of the host', async () => {
    const result = await runRunbook('system_facts', {});
    expect(result).toMatchObject({ rc: 0, status: 'successful' });
    expect(result.outputs).toEqual({
      hostname: os.hostname().split('.')[0],
      os_distribution: expect.any(String),
      os_version: expect.any(String),
      kernel: os.release(),
      cpus: expect.any(Number),
      memory_mb: expect.any(Number),
      python_version: expect.stringMatching(/^3\.\d+\.\d+$/),
    });
    expect(result.outputs!.cpus).toBeGreaterThan(0);
    expect(result.outputs!.memory_mb).toBeGreaterThan(0);
  }, 60_000);
});

describe('runbook fail_on_purpose', () => {
  it('fails on the task "Fail on purpose" and exits 2', async () => {
    const result = await runRunbook('fail_on_purpose', { reason: 'testing' });
    expect(result).toMatchObject({ code: 2, rc: 2, status: 'failed' });
    expect(taskEvents(result, 'Prepare', 'runner_on_ok')).toHaveLength(1);
    const failed = result.events.filter(e => e.event === 'runner_on_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].event_data).toMatchObject({
      task: 'Fail on purpose',
      res: { msg: 'failing on purpose' },
    });
  }, 60_000);
});

describe('runbook secret_echo', () => {
  it('uses the token, and prints it on purpose (the worker redacts it)', async () => {
    const token = `tok-${randomBytes(8).toString('hex')}-{{ 7 * 7 }}`;
    const result = await runRunbook('secret_echo', {
      display_name: 'Ada',
      api_token: token,
    });
    expect(result).toMatchObject({ rc: 0, status: 'successful', stderr: '' });
    expect(result.outputs).toEqual({ token_length: token.length });
    expect(
      taskEvents(result, 'Report its length', 'runner_on_ok')[0].event_data!
        .res!.msg,
    ).toBe(`token has ${token.length} characters`);
    const printed = result.events.filter(
      e =>
        e.event === 'runner_on_ok' &&
        e.event_data?.task?.startsWith('Print the token'),
    );
    expect(printed[0].event_data!.res!.msg).toBe(token);
  }, 60_000);
});

describe('runbooks swarm_deploy and swarm_remove', () => {
  const created = new Set<string>();

  beforeAll(async () => {
    const swarm = await exec('docker', [
      'info',
      '--format',
      '{{.Swarm.LocalNodeState}}',
    ]);
    if (swarm.stdout.trim() !== 'active') {
      throw new Error(
        `these tests need a Docker engine in an active swarm (${swarm.stderr})`,
      );
    }
    await ensureBusyboxImage();
  }, 120_000);

  afterAll(async () => {
    // Leave nothing behind if a test failed half-way.
    for (const stack of created) {
      await exec('docker', ['stack', 'rm', stack]);
    }
  }, 60_000);

  function newStackName() {
    const name = `orchtest_${randomBytes(4).toString('hex')}`;
    created.add(name);
    return name;
  }

  async function serviceLabels(
    service: string,
  ): Promise<Record<string, string>> {
    const out = await exec('docker', [
      'service',
      'inspect',
      service,
      '--format',
      '{{json .Spec.Labels}}',
    ]);
    expect(out.code).toBe(0);
    return JSON.parse(out.stdout);
  }

  async function expectRemoved(stack: string) {
    const result = await runRunbook('swarm_remove', { stack_name: stack });
    expect(result).toMatchObject({ rc: 0, status: 'successful' });
    expect(result.outputs).toEqual({ stack_name: stack, removed: true });
    const label = `label=com.docker.stack.namespace=${stack}`;
    // swarm_remove waits for Docker to report nothing left; the containers of the
    // tasks may still be stopping, so wait for those.
    await waitFor(async () => {
      const services = await exec('docker', [
        'service',
        'ls',
        '-q',
        '--filter',
        label,
      ]);
      const networks = await exec('docker', [
        'network',
        'ls',
        '-q',
        '--filter',
        label,
      ]);
      const containers = await exec('docker', ['ps', '-aq', '--filter', label]);
      return (
        `${services.stdout}${networks.stdout}${containers.stdout}`.trim() === ''
      );
    }, `stack ${stack} to be gone`);
    const services = await exec('docker', ['stack', 'services', stack]);
    expect(services.stderr.trim()).toBe(`Nothing found in stack: ${stack}`);
    created.delete(stack);
  }

  it('deploys compose YAML, labels it with the job, and removes it', async () => {
    const stack = newStackName();
    const compose = [
      'version: "3.8"',
      'services:',
      '  sleeper:',
      `    image: ${TEST_BUSYBOX_IMAGE}`,
      '    command: ["sleep", "3600"]',
      '    stop_grace_period: 1s',
      '    hostname: "{{.Task.Name}}"',
      '    deploy:',
      '      labels:',
      "        - note={{ lookup('pipe','id') }}",
      '        - flag',
      '',
    ].join('\n');
    const result = await runRunbook(
      'swarm_deploy',
      { stack_name: stack, compose },
      { orch_job_id: 'job-1234' },
    );
    expect(result).toMatchObject({ rc: 0, status: 'successful' });
    expect(result.outputs).toEqual({
      stack_name: stack,
      services: [`${stack}_sleeper`],
      changed: true,
    });

    const listed = await exec('docker', [
      'stack',
      'services',
      stack,
      '--format',
      '{{.Name}}',
    ]);
    expect(listed.stdout.trim()).toBe(`${stack}_sleeper`);
    expect(await serviceLabels(`${stack}_sleeper`)).toEqual({
      'com.docker.stack.image': TEST_BUSYBOX_IMAGE,
      'com.docker.stack.namespace': stack,
      'orch.job.id': 'job-1234',
      'orch.runbook': 'swarm_deploy',
      note: "{{ lookup('pipe','id') }}",
      flag: '',
    });
    // Go templates of the compose file reach Docker untouched.
    const hostname = await exec('docker', [
      'service',
      'inspect',
      `${stack}_sleeper`,
      '--format',
      '{{.Spec.TaskTemplate.ContainerSpec.Hostname}}',
    ]);
    expect(hostname.stdout.trim()).toBe('{{.Task.Name}}');

    // The image runs: the task reaches Running.
    await waitFor(async () => {
      const ps = await exec('docker', [
        'service',
        'ps',
        `${stack}_sleeper`,
        '--filter',
        'desired-state=running',
        '--format',
        '{{.CurrentState}}',
      ]);
      return ps.stdout.startsWith('Running');
    }, `${stack}_sleeper to run`);

    // Deploying the same again changes nothing.
    const again = await runRunbook(
      'swarm_deploy',
      { stack_name: stack, compose },
      { orch_job_id: 'job-1234' },
    );
    expect(again.rc).toBe(0);
    expect(again.outputs).toMatchObject({ changed: false });

    await expectRemoved(stack);
  }, 180_000);

  it('deploys a stack file of the stacks folder', async () => {
    // Its image is built on the engine, as the sleeper-demo install does.
    const built = await runRunbook('docker_build', {
      context: 'sleeper-demo',
      image: 'orch-demo/sleeper:latest',
    });
    expect(built).toMatchObject({ rc: 0, status: 'successful' });
    const stack = newStackName();
    const result = await runRunbook(
      'swarm_deploy',
      { stack_name: stack, stack_file: 'demo-sleeper.yml' },
      { orch_job_id: 'job-5678', orch_stacks_dir: STACKS_DIR },
    );
    expect(result).toMatchObject({ rc: 0, status: 'successful' });
    expect(result.outputs).toEqual({
      stack_name: stack,
      services: [`${stack}_sleeper`],
      changed: true,
    });
    expect(await serviceLabels(`${stack}_sleeper`)).toMatchObject({
      'orch.demo': 'sleeper',
      'orch.job.id': 'job-5678',
      'orch.runbook': 'swarm_deploy',
    });
    await expectRemoved(stack);
  }, 180_000);

  it('refuses a stack file outside the stacks folder, even through a link', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'orch-stacks-'));
    try {
      const stacks = path.join(dir, 'stacks');
      await fs.mkdir(stacks);
      await fs.writeFile(
        path.join(dir, 'outside.yml'),
        'services: {x: {image: nope}}\n',
      );
      await fs.symlink('../outside.yml', path.join(stacks, 'linked.yml'));
      const stack = newStackName();

      const linked = await runPlaybook('playbooks/swarm_deploy.yml', {
        stack_name: stack,
        stack_file: 'linked.yml',
        orch_stacks_dir: stacks,
      });
      expect(linked).toMatchObject({ rc: 2, status: 'failed' });
      expect(
        linked.events.find(e => e.event === 'runner_on_failed')?.event_data
          ?.task,
      ).toBe('Check that the stack file stays inside the stacks folder');

      // The schema refuses this one; the playbook refuses it on its own too.
      const dotted = await runPlaybook('playbooks/swarm_deploy.yml', {
        stack_name: stack,
        stack_file: '../outside.yml',
        orch_stacks_dir: stacks,
      });
      expect(dotted).toMatchObject({ rc: 2, status: 'failed' });
      expect(
        dotted.events.find(e => e.event === 'runner_on_failed')?.event_data
          ?.task,
      ).toBe('Check the stack file name and the stacks folder');
      const services = await exec('docker', [
        'service',
        'ls',
        '-q',
        '--filter',
        `label=com.docker.stack.namespace=${stack}`,
      ]);
      expect(services.stdout.trim()).toBe('');
      created.delete(stack);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

type ExecResult = { code: number | null; stdout: string; stderr: string };

function exec(command: string, args: string[]): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => {
      stdout += d;
    });
    child.stderr.on('data', d => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

/** Polls `check` every 250 ms until it holds, for at most `timeoutMs`. */
async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}
