import { existsSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import { OrchHarness, engines } from './__testUtils__/orchHarness';
import { testManifestsDir } from './__testUtils__/projects';
import { run } from './__testUtils__/scaffolder';
import { randomBytes } from 'crypto';

jest.setTimeout(300_000);

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

describe.each(engines())('project installs (chained jobs) on %s', engine => {
  const orch = new OrchHarness(engine);
  const manifestsDir = testManifestsDir();

  beforeAll(async () => {
    await orch.init({ manifestsDir });
    await orch.startBackend();
    await orch.startWorker();
  });
  afterAll(async () => {
    await orch.close();
    rmSync(manifestsDir, { recursive: true, force: true });
  });

  async function install(project: string, inputs: Record<string, unknown> = {}) {
    const r = await orch.api('POST', '/v1/projects/install', { project, inputs, environment: 'stage' });
    expect(r.status).toBe(202);
    return r.body.jobId as string;
  }

  async function installed(jobId: string) {
    const messages = await orch.follow(jobId);
    const detail = await orch.job(jobId);
    return { messages, ...detail };
  }

  it('stops at a failing step whose onFailure is stop: parent ERROR, later steps never created', async () => {
    const jobId = await install('chain-stop');
    const { job, steps, children, messages } = await installed(jobId);
    expect(job).toMatchObject({ status: 'ERROR', kind: 'project', project: { name: 'chain-stop' } });
    expect(job.error).toContain('step second failed');
    expect(children.map((c: any) => [c.runbookName, c.status, c.stepIndex])).toEqual([
      ['hello', 'SUCCESS', 0],
      ['fail_on_purpose', 'ERROR', 1],
    ]);
    expect(steps.map((s: any) => [s.task, s.status, s.childJobId])).toEqual([
      ['first', 'ok', children[0].id],
      ['second', 'failed', children[1].id],
    ]);
    expect(job.outputs.rolledBack).toBe(false);
    expect(job.outputs.steps.map((s: any) => s.status)).toEqual(['SUCCESS', 'ERROR']);
    // Outputs of a step reached the next one's inputs.
    const second = await orch.job(children[1].id);
    expect(second.job.inputs).toEqual({ reason: 'after first chained' });
    expect(second.job).toMatchObject({ parentJobId: jobId, stepIndex: 1, project: { name: 'chain-stop' } });
    expect(messages[messages.length - 1]).toMatchObject({ event: 'end', data: { status: 'ERROR' } });

    const output = await orch.api('GET', `/v1/jobs/${jobId}/artifacts/output.json`);
    expect(output.body.report.steps.map((s: any) => s.jobId)).toEqual(children.map((c: any) => c.id));
    const listed = await orch.api('GET', `/v1/jobs?parentJobId=${jobId}`);
    expect(listed.body.items).toHaveLength(2);
  });

  it('rolls back when a failing step says rollback: the rollback steps run, then ERROR', async () => {
    const jobId = await install('chain-rollback');
    const { job, steps, children } = await installed(jobId);
    expect(job.status).toBe('ERROR');
    expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([
      ['hello', 'SUCCESS'],
      ['fail_on_purpose', 'ERROR'],
      ['hello', 'SUCCESS'],
    ]);
    expect(steps.map((s: any) => [s.play, s.task, s.status])).toEqual([
      ['install', 'first', 'ok'],
      ['install', 'second', 'failed'],
      ['rollback', 'undo', 'ok'],
    ]);
    expect(job.outputs.rolledBack).toBe(true);
    const undo = await orch.job(children[2].id);
    expect(undo.job.outputs).toEqual({ message: 'undo deployed' });
  });

  it('passes a secret only sealed: skipped and continued steps, outputs, and no canary anywhere', async () => {
    const canary = 'canary-Zq8v-project-secret-4471';
    const jobId = await install('chain-secret', { token: canary });
    const { job, steps, children } = await installed(jobId);
    expect(job.status).toBe('SUCCESS');
    expect(job.inputs).toEqual({ name: 'orch', token: { set: true } });
    expect(steps.map((s: any) => [s.task, s.status])).toEqual([
      ['echo', 'ok'],
      ['skipped', 'skipped'],
      ['broken', 'failed'],
      ['last', 'ok'],
    ]);
    expect(children.map((c: any) => c.runbookName)).toEqual(['secret_echo', 'fail_on_purpose', 'hello']);
    expect(job.outputs.outputs).toEqual({
      token_length: canary.length,
      message: `token of ${canary.length} characters`,
    });
    expect(job.outputs.steps.map((s: any) => s.status)).toEqual(['SUCCESS', 'SKIPPED', 'ERROR', 'SUCCESS']);
    const echo = await orch.job(children[0].id);
    expect(echo.job.inputs).toEqual({ display_name: 'orch', api_token: { set: true } });

    // Stored inputs, events, steps, audit (all in the database), logs and artifacts.
    const everywhere = [
      await orch.dumpDatabase(),
      orch.logs.join('\n'),
      orch.workers.map(w => w.output()).join('\n'),
      readAll(join(orch.dir, 'artifacts')),
    ].join('\n');
    expect(everywhere).toContain(jobId);
    expect(everywhere).not.toContain(canary);

    const audit = await orch.api('GET', `/v1/audit?action=project.install&target=job:${jobId}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'project.install',
        outcome: 'success',
        metadata: expect.objectContaining({ project: 'chain-secret', environment: 'stage' }),
      }),
    ]);
  });

  it('installs the sleeper-demo project on the local swarm, building its image first', async () => {
    // The install builds orch-demo/sleeper itself: nothing prepared by hand.
    await run('docker', ['image', 'rm', '-f', 'orch-demo/sleeper:latest']);
    const stack = `sleepertest-${randomBytes(3).toString('hex')}`;
    try {
      const jobId = await install('sleeper-demo', { stack_name: stack });
      const { job, children } = await installed(jobId);
      expect(job.status).toBe('SUCCESS');
      expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([
        ['docker_build', 'SUCCESS'],
        ['swarm_deploy', 'SUCCESS'],
        ['hello', 'SUCCESS'],
      ]);
      expect(job.outputs.outputs).toEqual({ stack, services: [`${stack}_sleeper`] });
      const greet = await orch.job(children[2].id);
      expect(greet.job.inputs.message).toBe(`deployed ["${stack}_sleeper"]`);
    } finally {
      await run('docker', ['stack', 'rm', stack]);
    }
  });

  it('cancels the running child when the install is canceled', async () => {
    const jobId = await install('chain-cancel');
    const started = await orch.follow(jobId, {
      until: m => m.event === 'message' && String(m.data.stdout).includes('started job'),
    });
    expect(started.length).toBeGreaterThan(0);
    expect((await orch.api('POST', `/v1/jobs/${jobId}/cancel`, {})).status).toBe(202);
    const { job, steps, children } = await installed(jobId);
    expect(job.status).toBe('CANCELED');
    expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([['wait', 'CANCELED']]);
    // The parent's step says canceled, not failed.
    expect(steps.map((s: any) => [s.status, s.childJobId])).toEqual([['canceled', children[0].id]]);
  });

  it('answers a dry run with the plan and enqueues nothing; refuses bad installs naming the fields', async () => {
    const before = (await orch.api('GET', '/v1/jobs?limit=500')).body.items.length;
    const plan = await orch.api('POST', '/v1/projects/install', {
      project: 'chain-secret',
      inputs: { token: 'dry-run-secret-value' },
      environment: 'stage',
      dryRun: true,
    });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ dryRun: true, project: 'chain-secret', environment: 'stage' });
    expect(plan.body.steps[0]).toMatchObject({
      id: 'echo',
      runbook: 'secret_echo',
      inputs: { display_name: 'orch', api_token: { set: true } },
    });
    expect(plan.body.steps[3].inputs.message).toBe('token of ${{ steps.echo.outputs.token_length }} characters');
    expect(JSON.stringify(plan.body)).not.toContain('dry-run-secret-value');

    const missing = await orch.api('POST', '/v1/projects/install', { project: 'chain-secret', inputs: {}, environment: 'stage' });
    expect(missing.status).toBe(400);
    expect(missing.body.fields).toEqual([{ field: 'inputs.token', message: 'is required' }]);
    const bad = await orch.api('POST', '/v1/projects/install', { project: 'Bad/..', environment: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: any) => f.field)).toEqual(['project', 'environment']);
    const github = await orch.api('POST', '/v1/projects/install', {
      project: 'whoami-demo',
      repository: 'someone/else',
      ref: 'v1',
      environment: 'stage',
    });
    expect(github.status).toBe(400);
    expect(github.body.fields).toEqual([
      { field: 'repository', message: 'GitHub projects need orch.catalog.github configured' },
    ]);
    expect((await orch.api('POST', '/v1/projects/install', { project: 'nope', environment: 'stage' })).status).toBe(404);
    expect((await orch.api('GET', '/v1/jobs?limit=500')).body.items.length).toBe(before);
  });

  it('survives a worker restart mid-install: the install is handed back and resumed by the next worker', async () => {
    const jobId = await install('chain-restart');
    await orch.follow(jobId, {
      until: m => m.event === 'message' && String(m.data.stdout).includes('started job'),
    });
    // SIGTERM: the install is handed back at once; the running step gets
    // its grace period to finish.
    await orch.workers[orch.workers.length - 1].stop('SIGTERM');
    await orch.startWorker();
    const { job, children, messages } = await installed(jobId);
    expect(job.status).toBe('SUCCESS');
    expect(job.attempt).toBe(2);
    expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([
      ['wait', 'SUCCESS'],
      ['hello', 'SUCCESS'],
    ]);
    expect(job.outputs.outputs).toEqual({ message: 'resumed' });
    expect(messages.some((m: any) => m.event === 'message' && String(m.data.stdout).includes('resuming the install'))).toBe(true);
  });

  it('survives a worker killed mid-install: the reconciler hands the install to the next worker, which ends it', async () => {
    const jobId = await install('chain-kill');
    const started = await orch.follow(jobId, {
      until: m => m.event === 'message' && String(m.data.stdout).includes('started job'),
    });
    const childId = /started job (\S+)/.exec(String(started[started.length - 1].data.stdout))![1];
    // The step's playbook has begun on the worker (its first output): the
    // kill lands mid-step whatever the machine's load, and the step is far
    // too long to end by itself.
    await orch.follow(childId, { until: m => m.event === 'message' });
    await orch.workers[orch.workers.length - 1].stop('SIGKILL');
    // As when a worker's container dies: its run's processes go with it.
    for (const pid of orch.runProcesses()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await orch.startWorker();
    // Both heartbeats go stale: the child (no retryOnWorkerLost) ends
    // ERROR "worker lost", the install goes back to the queue and resumes.
    const { job, children } = await installed(jobId);
    expect(job).toMatchObject({ status: 'ERROR', attempt: 2 });
    expect(job.error).toBe('step pause failed: worker lost');
    expect(children.map((c: any) => [c.runbookName, c.status, c.error])).toEqual([['wait', 'ERROR', 'worker lost']]);
    expect(job.outputs.steps.map((s: any) => [s.id, s.status])).toEqual([['pause', 'ERROR']]);
    // The dead worker's queue entry was still active when the reconciler
    // released the install: the next worker ran it from an entry of its own,
    // without waiting for BullMQ's stalled-jobs check.
    expect(await orch.queueEntryState(`${jobId}-retry-1`, 'project')).toBe('completed');
  });

  it('relaunches an install: a new parent that runs the steps again', async () => {
    const first = await install('chain-rollback');
    await orch.follow(first);
    const again = await orch.api('POST', `/v1/jobs/${first}/relaunch`, {});
    expect(again.status).toBe(202);
    const { job, children } = await installed(again.body.jobId);
    expect(job).toMatchObject({ kind: 'project', status: 'ERROR' });
    expect(children).toHaveLength(3);
  });
});
