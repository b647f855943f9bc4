import { mkdirSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { extract as extractTar, list as listTar } from 'tar';
import { executeRunbook } from './executeRunbook';
import {
  canary,
  createTestProject,
  filesUnder,
  MASK,
  psMatching,
  TestProject,
} from './runnerTestKit';

jest.setTimeout(60_000);

let p: TestProject;
beforeAll(() => {
  p = createTestProject();
});
afterAll(() => p.remove());

async function tarEntries(file: string): Promise<string[]> {
  const entries: string[] = [];
  await listTar({
    file,
    onReadEntry: e => {
      entries.push(e.path);
    },
  });
  return entries.sort();
}

describe('executeRunbook', () => {
  // Every outcome removes its private data dir (a throw here fails the test).
  afterEach(() => {
    const left = p.leftoverDataDirs();
    if (left.length) {
      throw new Error(`private data dirs left behind: ${left.join(', ')}`);
    }
    if (!p.projectUnchanged())
      throw new Error('the project dir was written to');
  });

  it('runs a playbook, streams events live in counter order, and returns set_stats outputs', async () => {
    const jobId = 'job-hello';
    let firstTaskAt = 0;
    let runnerAliveAtFirstTask = false;
    const { req, events } = p.request(jobId, {
      extravars: { who: 'world' },
      onEvent: async e => {
        events.push(e);
        if (e.event === 'runner_on_ok' && !firstTaskAt) {
          firstTaskAt = Date.now();
          runnerAliveAtFirstTask = psMatching(`--ident ${jobId}`).length > 0;
        }
      },
    });
    const result = await executeRunbook(req);
    const finishedAt = Date.now();

    expect(result).toMatchObject({
      status: 'successful',
      rc: 0,
      outputs: { greeting: 'hello world', count: 3 },
      eventCount: events.length,
    });
    expect(result.failedTask).toBeUndefined();
    expect(result.stats).toMatchObject({ ok: { localhost: 4 }, failures: {} });
    expect(events.map(e => e.counter)).toEqual(events.map((_, i) => i + 1));
    expect(events[events.length - 1].event).toBe('playbook_on_stats');
    expect(events.some(e => e.stdout.includes('"msg": "hello world"'))).toBe(
      true,
    );
    expect(events.some(e => e.stdout.includes(`"msg": "job ${jobId}"`))).toBe(
      true,
    );
    // The first task's event came before the 2 s pause, while the runner ran.
    expect(runnerAliveAtFirstTask).toBe(true);
    expect(finishedAt - firstTaskAt).toBeGreaterThan(1500);

    const dir = join(p.artifactsRoot, jobId);
    expect(statSync(dir).mode & 0o777).toBe(0o750);
    expect(readdirSync(dir).sort()).toEqual([
      'artifacts.tar.gz',
      'logs.ndjson',
      'output.json',
    ]);
    const output = JSON.parse(readFileSync(join(dir, 'output.json'), 'utf8'));
    expect(output).toMatchObject({
      jobId,
      status: 'successful',
      rc: 0,
      outputs: result.outputs,
    });
    expect(Date.parse(output.finishedAt)).toBeGreaterThanOrEqual(
      Date.parse(output.startedAt),
    );
    const logged = readFileSync(join(dir, 'logs.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l));
    expect(logged).toEqual(events);

    const entries = await tarEntries(join(dir, 'artifacts.tar.gz'));
    expect(entries).toEqual([
      'logs.ndjson',
      'output.json',
      'rc',
      'status',
      'stdout',
    ]);
  });

  it('never lets Jinja evaluate user input', async () => {
    const payload = "{{ lookup('pipe','id') }}";
    const { req, events } = p.request('job-inject', {
      playbook: 'playbooks/inject.yml',
      extravars: {
        message: payload,
        deep: { list: [payload, { [payload]: payload }] },
      },
    });
    const result = await executeRunbook(req);
    expect(result.status).toBe('successful');
    expect(result.outputs.echoed).toBe(payload);
    expect(JSON.stringify(result.outputs.nested)).toContain(
      "lookup('pipe','id')",
    );
    const debug = events.find(
      e => e.event === 'runner_on_ok' && e.event_data?.task_action === 'debug',
    );
    expect(debug?.stdout).toContain(payload);
    const all = JSON.stringify(events) + JSON.stringify(result);
    expect(all).not.toMatch(/uid=\d/);
  });

  it('reports a failed task', async () => {
    const { req, events } = p.request('job-fail', {
      playbook: 'playbooks/fail.yml',
    });
    const result = await executeRunbook(req);
    expect(result).toMatchObject({
      status: 'failed',
      rc: 2,
      failedTask: 'explode here',
      // A `fail` task's own words; the ignored one's are not taken.
      failedMessage: 'boom',
    });
    expect(result.stats).toMatchObject({
      failures: { localhost: 1 },
      ignored: { localhost: 1 },
    });
    expect(events.some(e => e.event === 'runner_on_failed')).toBe(true);
    const output = JSON.parse(
      readFileSync(join(p.artifactsRoot, 'job-fail', 'output.json'), 'utf8'),
    );
    expect(output).toMatchObject({
      status: 'failed',
      failedTask: 'explode here',
    });
  });

  it('reports an unreachable host as failed', async () => {
    const { req } = p.request('job-unreachable', {
      playbook: 'playbooks/ping.yml',
      inventory: 'inventory/unreachable.yml',
    });
    const result = await executeRunbook(req);
    // ansible-playbook exits 4 here, the same code as a syntax error.
    expect(result).toMatchObject({
      status: 'failed',
      rc: 4,
      failedTask: 'knock knock',
    });
    expect(result.failedMessage).toBeUndefined();
    expect(result.stats).toMatchObject({ dark: { ghost: 1 } });
  });

  it('keeps secrets out of events, results and every artifact', async () => {
    const jobId = 'job-secret';
    const payloads: string[] = [];
    const { req } = p.request(jobId, {
      playbook: 'playbooks/secret.yml',
      secrets: { api_token: canary },
      files: [{ name: 'id_key', content: `-----KEY ${canary}-----` }],
      onEvent: e => {
        payloads.push(JSON.stringify(e));
      },
    });
    const result = await executeRunbook(req);
    expect(result.status).toBe('successful');
    expect(result.outputs).toEqual({ token: MASK, mode: '0600' });
    expect(payloads.some(s => s.includes(`token is ${MASK}`))).toBe(true);
    expect(payloads.some(s => s.includes(`-----KEY ${MASK}-----`))).toBe(true);
    expect(payloads.join('\n')).not.toContain(canary);
    expect(JSON.stringify(result)).not.toContain(canary);

    const dir = join(p.artifactsRoot, jobId);
    const unpacked = join(p.base, 'unpacked-secret');
    mkdirSync(unpacked);
    await extractTar({ file: join(dir, 'artifacts.tar.gz'), cwd: unpacked });
    const scanned = [...filesUnder(dir), ...filesUnder(unpacked)];
    expect(scanned.map(f => relative(p.base, f)).sort()).toEqual([
      'artifacts/job-secret/artifacts.tar.gz',
      'artifacts/job-secret/logs.ndjson',
      'artifacts/job-secret/output.json',
      'unpacked-secret/logs.ndjson',
      'unpacked-secret/output.json',
      'unpacked-secret/rc',
      'unpacked-secret/status',
      'unpacked-secret/stdout',
    ]);
    for (const f of scanned) {
      expect(readFileSync(f).includes(canary)).toBe(false);
    }
    const stdout = readFileSync(join(unpacked, 'stdout'), 'utf8');
    expect(stdout).toContain(`token is ${MASK}`);
    expect(readFileSync(join(unpacked, 'status'), 'utf8')).toBe('successful');
    expect(readFileSync(join(unpacked, 'rc'), 'utf8')).toBe('0');
  });

  it('never ships command, env/ or raw job_events', async () => {
    const { req } = p.request('job-tarball', {
      playbook: 'playbooks/trivial.yml',
      secrets: { pw: canary },
    });
    expect((await executeRunbook(req)).status).toBe('successful');
    const entries = await tarEntries(
      join(p.artifactsRoot, 'job-tarball', 'artifacts.tar.gz'),
    );
    expect(
      entries.some(path =>
        /(^|\/)(command|env|job_events|fact_cache)(\/|$)/.test(path),
      ),
    ).toBe(false);
    expect(entries).toEqual([
      'logs.ndjson',
      'output.json',
      'rc',
      'status',
      'stdout',
    ]);
  });

  it('turns a bad playbook path, a syntax error and bad input into status error without throwing', async () => {
    const missing = await executeRunbook(
      p.request('job-missing', { playbook: 'playbooks/nope.yml' }).req,
    );
    expect(missing).toMatchObject({ status: 'error', rc: null, eventCount: 0 });
    expect(missing.error).toBe('playbook playbooks/nope.yml not found');
    expect(
      JSON.parse(
        readFileSync(
          join(p.artifactsRoot, 'job-missing', 'output.json'),
          'utf8',
        ),
      ).status,
    ).toBe('error');

    const escape = await executeRunbook(
      p.request('job-escape', { playbook: '../../etc/passwd' }).req,
    );
    expect(escape.error).toMatch(/outside the project/);

    const syntax = await executeRunbook(
      p.request('job-syntax', { playbook: 'playbooks/syntax.yml' }).req,
    );
    expect(syntax).toMatchObject({ status: 'error', rc: 4 });
    expect(syntax.error).toMatch(/Syntax Error while loading YAML/);

    const badVar = await executeRunbook(
      p.request('job-badvar', { extravars: { 'not-a-name': 1 } }).req,
    );
    expect(badVar).toMatchObject({
      status: 'error',
      error: expect.stringContaining('invalid extra var name "not-a-name"'),
    });

    const badFile = await executeRunbook(
      p.request('job-badfile', { files: [{ name: '../x', content: '' }] }).req,
    );
    expect(badFile.error).toMatch(/invalid file name/);

    const badId = await executeRunbook(p.request('../evil').req);
    expect(badId).toMatchObject({
      status: 'error',
      error: 'invalid jobId "../evil"',
    });

    const failingConsumer = await executeRunbook(
      p.request('job-consumer', {
        playbook: 'playbooks/trivial.yml',
        onEvent: () => {
          throw new Error('database down');
        },
      }).req,
    );
    expect(failingConsumer.status).toBe('error');
    expect(failingConsumer.error).toMatch(
      /event 1 could not be handled: database down/,
    );
  });
});
