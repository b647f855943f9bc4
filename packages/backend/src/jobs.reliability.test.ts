import { execFileSync } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';
import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import { OrchHarness, engines } from './__testUtils__/orchHarness';
import type { SseMessage } from '@internal/backstage-plugin-orch-node/testUtils';
import { readSse } from '@internal/backstage-plugin-orch-node/testUtils';

jest.setTimeout(240_000);

async function waitForStatus(orch: OrchHarness, jobId: string, statuses: string[], timeoutMs = 90_000) {
  // Follows the live stream rather than polling: `end` (or a status event)
  // is the event we wait for.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await orch.job(jobId);
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
    await orch.follow(jobId, { until: m => m.event === 'status' && statuses.includes(m.data.status) });
  }
}

describe.each(engines())('job reliability on %s', engine => {
  const orch = new OrchHarness(engine);

  beforeAll(async () => {
    await orch.init({ heartbeatTtlSeconds: 3 });
    await orch.startBackend();
  });
  afterAll(() => orch.close());

  it('ends a job whose worker was SIGKILLed as "worker lost", keeping its events without duplicates', async () => {
    const worker = await orch.startWorker();
    const jobId = await orch.execute('wait', { seconds: 60 });
    await orch.follow(jobId, { until: m => m.event === 'message' && m.data.task === 'Sleep' });
    await worker.stop('SIGKILL');

    const job = await waitForStatus(orch, jobId, ['ERROR', 'SUCCESS', 'CANCELED'], 60_000);
    expect(job).toMatchObject({ status: 'ERROR', error: 'worker lost' });

    const before = (await orch.api('GET', `/v1/jobs/${jobId}/events?limit=5000`)).body.items;
    expect(before.length).toBeGreaterThan(0);
    expect(before.some((e: any) => e.stdout.includes('waiting 60 seconds'))).toBe(true);

    // A new worker finds nothing to redo for this job, and ends what the
    // dead one left running: no playbook process, no private data dir.
    await orch.startWorker();
    expect(orch.runProcesses()).toEqual([]);
    expect(readdirSync(join(orch.dir, 'data'))).toEqual([]);
    const hello = await orch.execute('hello', { message: 'after the crash' });
    await orch.follow(hello);
    const after = (await orch.api('GET', `/v1/jobs/${jobId}/events?limit=5000`)).body.items;
    expect(after.map((e: any) => e.seq)).toEqual(before.map((e: any) => e.seq));
    expect(new Set(after.map((e: any) => e.seq)).size).toBe(after.length);
    expect((await orch.job(jobId)).job.status).toBe('ERROR');
    for (const w of orch.workers) await w.stop();
  });

  it('hands a running job back on SIGTERM after the grace period; another worker runs it as attempt 2', async () => {
    for (const w of orch.workers) await w.stop();
    const worker = await orch.startWorker();
    const jobId = await orch.execute('wait', { seconds: 120 });
    await orch.follow(jobId, { until: m => m.event === 'message' && m.data.task === 'Sleep' });

    // SIGTERM: the worker waits shutdownGraceSeconds (5 s here), then stops
    // the playbook and gives the job back instead of failing it.
    await worker.stop('SIGTERM');
    expect(worker.child.exitCode).toBe(0);
    const handedBack = (await orch.job(jobId)).job;
    expect(handedBack).toMatchObject({ status: 'PENDING', attempt: 1 });
    expect(worker.output()).toContain(`handing job ${jobId} back`);
    // Everything attempt 1 wrote, including what it logged while stopping.
    const firstRun = (await orch.api('GET', `/v1/jobs/${jobId}/events?limit=5000`)).body.items;

    await orch.startWorker();
    await orch.follow(jobId, {
      until: m => m.event === 'message' && m.data.task === 'Sleep' && m.data.seq > firstRun[firstRun.length - 1].seq,
    });
    expect((await orch.job(jobId)).job).toMatchObject({ status: 'RUNNING', attempt: 2 });
    await orch.api('POST', `/v1/jobs/${jobId}/cancel`);
    const job = await waitForStatus(orch, jobId, ['CANCELED', 'ERROR', 'SUCCESS']);
    expect(job.status).toBe('CANCELED');
    const all = (await orch.api('GET', `/v1/jobs/${jobId}/events?limit=5000`)).body.items.map((e: any) => e.seq);
    expect(new Set(all).size).toBe(all.length);
    expect(all.slice(0, firstRun.length)).toEqual(firstRun.map((e: any) => e.seq));
  });

  it('runs every PENDING job after Redis was flushed', async () => {
    for (const w of orch.workers) await w.stop();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await orch.execute('hello', { message: `pending ${i}` }));
    await orch.redis.flushall();
    await orch.startWorker();
    for (const id of ids) {
      const job = await waitForStatus(orch, id, ['SUCCESS', 'ERROR', 'CANCELED']);
      expect(job.status).toBe('SUCCESS');
    }
  });

  it('resumes an SSE stream with Last-Event-ID across a backend restart: nothing missed, nothing twice', async () => {
    if (orch.workers.every(w => w.child.exitCode !== null || w.child.signalCode !== null)) {
      await orch.startWorker();
    }
    const jobId = await orch.execute('hello', { message: 'resume me', count: 10 });
    const first: SseMessage[] = [];
    const controller = new AbortController();
    for await (const m of readSse(`${orch.baseUrl}/api/orch/v1/jobs/${jobId}/logs/stream`, { signal: controller.signal })) {
      if (m.event === 'message') first.push(m);
      if (first.length >= 3) break;
    }
    controller.abort();
    const lastId = first[first.length - 1].id!;

    await orch.stopBackend();
    await orch.startBackend();
    const rest = (await orch.follow(jobId, { lastEventId: lastId })).filter(m => m.event === 'message');

    const seen = [...first, ...rest].map(m => Number(m.id));
    const stored = (await orch.api('GET', `/v1/jobs/${jobId}/events?limit=5000`)).body.items.map((e: any) => e.seq);
    expect(seen).toEqual(stored);
    expect((await orch.job(jobId)).job.status).toBe('SUCCESS');
  });
});

describe('swarm runbooks on the local swarm', () => {
  const orch = new OrchHarness('sqlite');
  const stack = `orchit${Date.now().toString(36)}`;

  beforeAll(async () => {
    await ensureBusyboxImage();
    await orch.init();
    await orch.startBackend();
    await orch.startWorker();
  });
  afterAll(async () => {
    try {
      execFileSync('docker', ['stack', 'rm', stack], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    await orch.close();
  });

  it('swarm_deploy deploys a stack labelled with the job id, swarm_remove removes it', async () => {
    const compose = [
      'version: "3.8"',
      'services:',
      '  sleeper:',
      '    image: orch-test/busybox:latest',
      '    command: ["sleep", "3600"]',
      '    stop_grace_period: 1s',
    ].join('\n');
    const deployId = await orch.execute('swarm_deploy', { stack_name: stack, compose });
    const deployed = await orch.follow(deployId);
    expect(deployed[deployed.length - 1].data.status).toBe('SUCCESS');
    const services = execFileSync('docker', ['stack', 'services', stack, '--format', '{{.Name}}']).toString().trim();
    expect(services).toBe(`${stack}_sleeper`);
    const labels = JSON.parse(
      execFileSync('docker', ['service', 'inspect', `${stack}_sleeper`, '--format', '{{json .Spec.Labels}}']).toString(),
    );
    expect(labels['orch.job.id']).toBe(deployId);

    const removeId = await orch.execute('swarm_remove', { stack_name: stack });
    const removed = await orch.follow(removeId);
    expect(removed[removed.length - 1].data.status).toBe('SUCCESS');
    const left = execFileSync('docker', ['stack', 'ls', '--format', '{{.Name}}']).toString();
    expect(left.split('\n')).not.toContain(stack);
  });
});
