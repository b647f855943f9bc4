import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import { randomBytes } from 'crypto';
import { rmSync } from 'fs';
import { OrchHarness, engines } from './__testUtils__/orchHarness';
import { testManifestsDir } from './__testUtils__/projects';
import { dryRun, freePort, run, runTask, startWithScaffolder, templateReady } from './__testUtils__/scaffolder';

jest.setTimeout(600_000);

/** The base image of whoami-demo, imported by docker_build from busybox-static when missing. */
const DEMO_BASE_IMAGE = 'orch-demo/busybox:latest';

describe.each(engines())('scaffolder actions orch:* through POST /api/scaffolder/v2/tasks on %s', engine => {
  const orch = new OrchHarness(engine);
  const manifestsDir = testManifestsDir();
  const suffix = randomBytes(3).toString('hex');
  const stack = `whoamitest-${suffix}`;
  const tag = `test-${suffix}`;

  beforeAll(async () => {
    await ensureBusyboxImage();
    // A fresh engine: docker_build must import the demo base image itself.
    await run('docker', ['image', 'rm', '--force', DEMO_BASE_IMAGE]);
    await orch.init({ manifestsDir });
    await startWithScaffolder(orch);
    await orch.startWorker();
    await templateReady(orch, 'install-whoami-demo');
  });
  afterAll(async () => {
    await run('docker', ['stack', 'rm', stack]);
    await run('docker', ['image', 'rm', '--force', `orch-demo/whoami:${tag}`]);
    await orch.close();
    rmSync(manifestsDir, { recursive: true, force: true });
  });

  it('installs whoami-demo on an engine without its base image: the task completes, the chained job is SUCCESS with one child per step, the service answers', async () => {
    expect((await run('docker', ['image', 'inspect', DEMO_BASE_IMAGE])).code).not.toBe(0);
    const port = await freePort();
    const { events, log, task } = await runTask(orch, 'install-whoami-demo', {
      stack_name: stack,
      image_tag: tag,
      port,
      message: 'hello from the scaffolder',
      environment: 'stage',
    });
    expect(events[events.length - 1].type).toBe('completion');
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    // The install's own log was mirrored into the task log.
    expect(log).toContain('step build: started job');
    expect(log).toContain('install SUCCESS');

    const jobId = /enqueued the install of whoami-demo as Orch job ([0-9a-f-]{36})/.exec(log)![1];
    const { job, steps, children } = await orch.job(jobId);
    expect(job).toMatchObject({ kind: 'project', status: 'SUCCESS', project: { name: 'whoami-demo' } });
    expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([
      ['docker_build', 'SUCCESS'],
      ['swarm_deploy', 'SUCCESS'],
      ['http_check', 'SUCCESS'],
    ]);
    expect(steps.map((s: any) => [s.task, s.status, s.childJobId])).toEqual([
      ['Build the image', 'ok', children[0].id],
      ['Deploy the stack', 'ok', children[1].id],
      ['Check its health', 'ok', children[2].id],
    ]);
    expect(job.outputs.outputs).toEqual({
      url: 'http://whoami.localhost/',
      direct_url: `http://127.0.0.1:${port}/cgi-bin/whoami`,
      image: `orch-demo/whoami:${tag}`,
      stack,
    });
    const page = await fetch(`http://127.0.0.1:${port}/cgi-bin/whoami`);
    expect(await page.text()).toContain('Message: hello from the scaffolder');
    // docker_build imported the base image it lacked.
    expect((await run('docker', ['image', 'inspect', DEMO_BASE_IMAGE])).code).toBe(0);
    const labels = await run('docker', ['service', 'inspect', `${stack}_web`, '--format', '{{json .Spec.Labels}}']);
    expect(JSON.parse(labels.out)).toMatchObject({
      'traefik.enable': 'true',
      [`traefik.http.routers.${stack}.rule`]: 'Host(`whoami.localhost`)',
      'orch.job.id': children[1].id,
    });
  });

  it('orch:runbook:execute waits and mirrors the job log into the task log', async () => {
    await templateReady(orch, 'orch-hello');
    const { log, task } = await runTask(orch, 'orch-hello', { message: 'mirrored by the scaffolder' });
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    expect(log.split('\n').filter(l => l.includes('mirrored by the scaffolder')).length).toBeGreaterThanOrEqual(2);
    expect(log).toContain('job status: SUCCESS');
  });

  it('fails the task when the install stops at a failing step', async () => {
    await templateReady(orch, 'install-chain-stop');
    const { log, task } = await runTask(orch, 'install-chain-stop', { environment: 'stage' });
    expect({ status: task.status, log }).toMatchObject({ status: 'failed' });
    expect(log).toContain('ended ERROR: step second failed');
  });

  it('passes a template secret to the install as a task secret: it never reaches what Orch stores or logs', async () => {
    await templateReady(orch, 'install-chain-secret');
    const canary = 'canary-scaffolder-Wm3k-5519';
    // As the Secret field of the scaffolder's form sends it: a mask as the
    // value (the schema requires one), the value itself as a task secret.
    const { log, task } = await runTask(
      orch,
      'install-chain-secret',
      { environment: 'stage', token: '*'.repeat(canary.length) },
      { token: canary },
    );
    expect({ status: task.status, log }).toMatchObject({ status: 'completed' });
    const jobId = /as Orch job ([0-9a-f-]{36})/.exec(log)![1];
    const { job } = await orch.job(jobId);
    expect(job.outputs.outputs.token_length).toBe(canary.length);
    expect(job.inputs.token).toEqual({ set: true });
    const everywhere = [
      await orch.dumpDatabase(),
      orch.logs.join('\n'),
      orch.workers.map(w => w.output()).join('\n'),
      log,
    ].join('\n');
    expect(everywhere).toContain(jobId);
    expect(everywhere).not.toContain(canary);
  });

  it('dry-runs both actions: the resolved plan in the log, nothing enqueued', async () => {
    const before = (await orch.api('GET', '/v1/jobs?limit=500')).body.items.length;
    const template = {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'dry' },
      spec: {
        owner: 'group:default/platform-team',
        type: 'service',
        steps: [
          { id: 'plan', action: 'orch:project:install', input: { project: 'whoami-demo', environment: 'stage' } },
          {
            id: 'hello',
            action: 'orch:runbook:execute',
            input: { runbook: 'hello', environment: 'stage', inputs: { message: 'dry' } },
          },
        ],
      },
    };
    const r = await dryRun(orch, template, {});
    expect(r.status).toBe(200);
    const log = r.body.log.map((l: any) => l.body.message).join('\n');
    expect(log).toContain('install plan of whoami-demo in stage (nothing enqueued)');
    expect(log).toContain('runbook: docker_build');
    expect(log).toContain('dry run of hello: valid; nothing enqueued');
    expect((await orch.api('GET', '/v1/jobs?limit=500')).body.items.length).toBe(before);
  });

  // Last: it replaces the worker with one that has no Docker engine.
  it('fails whoami-demo at its first step, in one line saying how to start Docker, when no engine answers', async () => {
    for (const w of orch.workers) await w.stop();
    const previous = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    try {
      await orch.startWorker();
    } finally {
      if (previous === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = previous;
    }
    const { log, task } = await runTask(orch, 'install-whoami-demo', {
      stack_name: `${stack}-noengine`,
      image_tag: `${tag}-noengine`,
      port: await freePort(),
      environment: 'stage',
    });
    expect({ status: task.status, log }).toMatchObject({ status: 'failed' });
    // The install's error, as the task's own last line says it.
    expect(log).toContain(
      `ended ERROR: step build failed: task "Check that a Docker engine answers" failed: No Docker engine answers at /nonexistent/docker.sock: start one with 'dockerd &' (or 'sudo systemctl start docker')`,
    );
    const jobId = /as Orch job ([0-9a-f-]{36})/.exec(log)![1];
    const { job, children } = await orch.job(jobId);
    expect(job.status).toBe('ERROR');
    expect(children.map((c: any) => [c.runbookName, c.status])).toEqual([['docker_build', 'ERROR']]);
  });
});
