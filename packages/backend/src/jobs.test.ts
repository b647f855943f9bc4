import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import { OrchHarness, engines } from './__testUtils__/orchHarness';

jest.setTimeout(180_000);

/** Every file under a directory, recursively, as text. */
function readAll(dir: string): string {
  if (!existsSync(dir)) return '';
  let out = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out += readAll(p);
    else {
      const buf = readFileSync(p);
      out += p.endsWith('.gz') ? gunzipSync(buf).toString('latin1') : buf.toString('latin1');
    }
  }
  return out;
}

async function allEvents(orch: OrchHarness, jobId: string, q?: string) {
  const r = await orch.api('GET', `/v1/jobs/${jobId}/events?limit=5000${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  return r.body.items as Array<{ seq: number; stdout: string; type: string; task?: string }>;
}

describe.each(engines())('jobs through the HTTP API on %s', engine => {
  const orch = new OrchHarness(engine);

  beforeAll(async () => {
    await orch.init();
    await orch.startBackend();
    await orch.startWorker();
  });
  afterAll(() => orch.close());

  it('runs hello to SUCCESS: the message in the SSE stream, output.json and steps', async () => {
    const jobId = await orch.execute('hello', { message: 'hello from orch', count: 3 });
    const messages = await orch.follow(jobId);
    const logs = messages.filter(m => m.event === 'message');
    expect(logs.map(m => Number(m.id))).toEqual(logs.map(m => m.data.seq));
    expect(logs.filter(m => m.data.stdout.includes('hello from orch')).length).toBeGreaterThanOrEqual(3);
    expect(messages.filter(m => m.event === 'status').map(m => m.data.status)).toContain('SUCCESS');
    expect(messages[messages.length - 1]).toMatchObject({ event: 'end', data: { status: 'SUCCESS' } });

    const { job, steps, artifacts, lastSeq } = await orch.job(jobId);
    expect(job).toMatchObject({ status: 'SUCCESS', runbookName: 'hello', attempt: 1, rc: 0 });
    expect(lastSeq).toBe(logs[logs.length - 1].data.seq);
    const window = await orch.api('GET', `/v1/jobs/${jobId}/events?after=1&before=4`);
    expect(window.body.items.map((e: any) => e.seq)).toEqual([2, 3]);
    expect((await orch.api('GET', `/v1/jobs/${jobId}/events?before=-1`)).status).toBe(400);
    expect(job.outputs).toEqual({ message: 'hello from orch' });
    expect(steps.map((s: any) => s.task)).toEqual(['Say the message', 'Return the message']);
    expect(artifacts.map((a: any) => a.name).sort()).toEqual(['artifacts.tar.gz', 'logs.ndjson', 'output.json']);

    const output = await orch.api('GET', `/v1/jobs/${jobId}/artifacts/output.json`);
    expect(output.status).toBe(200);
    expect(output.body.outputs).toEqual({ message: 'hello from orch' });
  });

  it('ends fail_on_purpose in ERROR naming the failing task', async () => {
    const jobId = await orch.execute('fail_on_purpose', {});
    const messages = await orch.follow(jobId);
    expect(messages[messages.length - 1].data.status).toBe('ERROR');
    const { job, steps } = await orch.job(jobId);
    expect(job.status).toBe('ERROR');
    expect(job.error).toContain('Fail on purpose');
    expect(steps.find((s: any) => s.task === 'Fail on purpose').status).toBe('failed');
  });

  it('never lets Jinja evaluate user input', async () => {
    const message = "{{ lookup('pipe','id') }}";
    const jobId = await orch.execute('hello', { message });
    await orch.follow(jobId);
    const { job } = await orch.job(jobId);
    expect(job.status).toBe('SUCCESS');
    expect(job.outputs.message).toBe(message);
    const events = await allEvents(orch, jobId);
    expect(events.some(e => e.stdout.includes(message))).toBe(true);
    expect(events.some(e => /uid=\d+/.test(e.stdout))).toBe(false);
  });

  it('refuses bad requests with clear errors and creates no job', async () => {
    const before = (await orch.api('GET', '/v1/jobs?limit=500')).body.items.length;

    const invalid = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { count: 11, extra: true },
      environment: 'stage',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.fields.map((f: any) => f.field).sort()).toEqual(['count', 'extra', 'message'].sort());

    const badEnv = await orch.api('POST', '/v1/runbooks/hello/execute', { inputs: { message: 'x' }, environment: 'moon' });
    expect(badEnv.status).toBe(400);
    expect(badEnv.body.fields[0].field).toBe('environment');

    expect((await orch.api('POST', '/v1/runbooks/nope/execute', { inputs: {}, environment: 'stage' })).status).toBe(404);
    expect((await orch.api('POST', '/v1/runbooks/hello/execute', '{not json')).status).toBe(400);
    const huge = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { message: 'x'.repeat(300 * 1024) },
      environment: 'stage',
    });
    expect(huge.status).toBe(413);

    expect((await orch.api('POST', '/v1/runbooks/hello/enabled', { enabled: false })).status).toBe(200);
    const disabled = await orch.api('POST', '/v1/runbooks/hello/execute', { inputs: { message: 'x' }, environment: 'stage' });
    expect(disabled.status).toBe(409);
    expect((await orch.api('POST', '/v1/runbooks/hello/enabled', { enabled: true })).status).toBe(200);

    expect((await orch.api('GET', '/v1/jobs?limit=500')).body.items.length).toBe(before);
  });

  it('guards artifacts and job ids against path tricks', async () => {
    const jobId = await orch.execute('hello', { message: 'artifacts' });
    await orch.follow(jobId);
    // (A literal `%2e%2e` segment is resolved away by the client's URL
    // parser before it is sent; encoded slashes do reach the server.)
    for (const name of ['command', '..%2F..%2Fetc%2Fpasswd', 'env', '..%2Foutput.json', 'stdout']) {
      const r = await orch.api('GET', `/v1/jobs/${jobId}/artifacts/${name}`);
      expect([400, 404]).toContain(r.status);
    }
    expect((await orch.api('GET', '/v1/jobs/..%2F..%2Fetc/artifacts/output.json')).status).toBe(400);
    expect((await orch.api('GET', '/v1/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const tar = await fetch(`${orch.baseUrl}/api/orch/v1/jobs/${jobId}/artifacts/artifacts.tar.gz`);
    const listing = gunzipSync(Buffer.from(await tar.arrayBuffer())).toString('latin1');
    expect(listing).not.toMatch(/(^|\/)command\0/m);
    expect(listing).not.toMatch(/(^|\/)env\//m);
  });

  it('keeps a secret input out of every event, log, artifact, stored input and answer', async () => {
    const canary = `canary-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const jobId = await orch.execute('secret_echo', { display_name: 'ci', api_token: canary });
    const messages = await orch.follow(jobId);
    const { job } = await orch.job(jobId);
    expect(job.status).toBe('SUCCESS');
    expect(job.inputs.api_token).toEqual({ set: true });

    const seen = [
      JSON.stringify(messages),
      JSON.stringify(await orch.job(jobId)),
      JSON.stringify(await allEvents(orch, jobId)),
      JSON.stringify((await orch.api('GET', '/v1/jobs?limit=500')).body),
      readAll(join(orch.dir, 'artifacts')),
      orch.workers.map(w => w.output()).join('\n'),
      orch.logs.join('\n'),
      await orch.dumpDatabase(),
    ];
    if (engine === 'sqlite') seen.push(readAll(join(orch.dir, 'db')));
    for (const text of seen) expect(text).not.toContain(canary);
    // The playbook printed it on purpose: the mask is there instead.
    expect(seen[2]).toContain('********');
    // The private data dir is gone.
    expect(readdirSync(join(orch.dir, 'data'))).toEqual([]);
  });

  it('keeps a connection secret out of everything but its ciphertext, through a full job run', async () => {
    const canary = `conn-canary-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const created = await orch.api('POST', '/v1/connections', {
      type: 'generic',
      name: `echo-${engine}`,
      environment: 'stage',
      values: { values: { token: canary, region: 'eu-west' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.secrets.token).toMatchObject({ set: true });

    // Wrong environment and wrong type are refused before anything runs.
    const prod = await orch.api('POST', '/v1/runbooks/connection_echo/execute', {
      inputs: {}, environment: 'prod', connections: [created.body.id],
    });
    expect(prod.status).toBe(400);
    expect(prod.body.fields[0].field).toBe('connections');
    const wrongType = await orch.api('POST', '/v1/runbooks/hello/execute', {
      inputs: { message: 'x' }, environment: 'stage', connections: [created.body.id],
    });
    expect(wrongType.status).toBe(400);

    const run = await orch.api('POST', '/v1/runbooks/connection_echo/execute', {
      inputs: {}, environment: 'stage', connections: [created.body.id],
    });
    expect(run.status).toBe(202);
    const jobId = run.body.jobId;
    const messages = await orch.follow(jobId);
    const { job } = await orch.job(jobId);
    expect(job.status).toBe('SUCCESS');
    expect(job.outputs).toEqual({ connection: `echo-${engine}`, keys: ['region', 'token'] });

    const seen = [
      JSON.stringify(messages),
      JSON.stringify(await orch.job(jobId)),
      JSON.stringify(await allEvents(orch, jobId)),
      JSON.stringify((await orch.api('GET', '/v1/connections')).body),
      JSON.stringify((await orch.api('GET', `/v1/connections/${created.body.id}`)).body),
      JSON.stringify((await orch.api('GET', '/v1/audit?limit=500')).body),
      readAll(join(orch.dir, 'artifacts')),
      orch.workers.map(w => w.output()).join('\n'),
      orch.logs.join('\n'),
      await orch.dumpDatabase(),
    ];
    if (engine === 'sqlite') seen.push(readAll(join(orch.dir, 'db')));
    for (const text of seen) expect(text).not.toContain(canary);
    expect(seen[2]).toContain('token is ********');
  });

  it('records critical actions in the audit log, failures included', async () => {
    const ok = await orch.execute('hello', { message: 'audited' });
    await orch.follow(ok);
    await orch.api('POST', '/v1/runbooks/hello/execute', { inputs: {}, environment: 'stage' });
    const entries = (await orch.api('GET', '/v1/audit?action=runbook.execute&limit=500')).body.items;
    const success = entries.find((e: any) => e.targetId === ok);
    expect(success).toMatchObject({ outcome: 'success', targetType: 'job', metadata: { runbook: 'hello' } });
    expect(success.actor).toMatch(/^user:/);
    expect(entries.some((e: any) => e.outcome === 'failure' && /InputError/.test(e.metadata.error))).toBe(true);
    const bad = await orch.api('GET', '/v1/audit?from=yesterday');
    expect(bad.status).toBe(400);
  });

  it('cancels a running job: CANCELED, and no ansible process left', async () => {
    const jobId = await orch.execute('wait', { seconds: 120 });
    await orch.follow(jobId, { until: m => m.event === 'message' && m.data.type === 'runner_on_start' && m.data.task === 'Sleep' });
    expect(orch.runProcesses().length).toBeGreaterThan(0);
    const cancel = await orch.api('POST', `/v1/jobs/${jobId}/cancel`);
    expect(cancel.status).toBe(202);
    const messages = await orch.follow(jobId);
    expect(messages[messages.length - 1].data.status).toBe('CANCELED');
    expect((await orch.job(jobId)).job.status).toBe('CANCELED');
    expect(orch.runProcesses()).toEqual([]);
    // A second cancel of an ended job is a conflict.
    expect((await orch.api('POST', `/v1/jobs/${jobId}/cancel`)).status).toBe(409);
  });

  it('relaunches with the same inputs, and pages jobs newest first', async () => {
    const first = await orch.execute('hello', { message: 'again', count: 2 });
    await orch.follow(first);
    const r = await orch.api('POST', `/v1/jobs/${first}/relaunch`, {});
    expect(r.status).toBe(202);
    await orch.follow(r.body.jobId);
    const { job } = await orch.job(r.body.jobId);
    expect(job).toMatchObject({ status: 'SUCCESS', inputs: { message: 'again', count: 2 } });

    const page1 = await orch.api('GET', '/v1/jobs?runbook=hello&limit=2');
    expect(page1.body.items.map((j: any) => j.id)).toEqual([r.body.jobId, first]);
    const page2 = await orch.api('GET', `/v1/jobs?runbook=hello&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((j: any) => j.id)).not.toContain(first);
    const search = await allEvents(orch, first, 'AGAIN');
    expect(search.length).toBeGreaterThan(0);
  });
});
