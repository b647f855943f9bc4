import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import {
  FakePortainer,
  startTestContainer,
  type TestContainer,
} from '@internal/backstage-plugin-portainer-backend/testUtils';
import { randomBytes } from 'crypto';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { gunzipSync } from 'zlib';
import { OrchHarness, engines } from './__testUtils__/orchHarness';

jest.setTimeout(180_000);

// Unique per run: parallel runs share the Docker engine.
const RBTEST = `rbtest-${Math.random().toString(36).slice(2, 8)}`;

/** Every file under a directory, recursively, as text. */
function readAll(dir: string): string {
  if (!existsSync(dir)) return '';
  let out = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out += readAll(p);
    else {
      const buf = readFileSync(p);
      out += p.endsWith('.gz')
        ? gunzipSync(buf).toString('latin1')
        : buf.toString('latin1');
    }
  }
  return out;
}

/*
 * The two Portainer runbooks as real jobs: the HTTP API enqueues, a worker
 * process runs ansible-runner, the playbook calls the fake Portainer with the
 * job's `portainer` connection, and the fake forwards Docker calls to the real
 * dockerd.
 */
describe.each(engines())(
  'portainer runbooks through real jobs on %s',
  engine => {
    const orch = new OrchHarness(engine);
    const apiKey = `ptr_${randomBytes(16).toString('hex')}`;
    let fake: FakePortainer;
    let app: TestContainer;
    let connectionId: string;

    const connection = async (name: string, url: string, key: string) => {
      const r = await orch.api('POST', '/v1/connections', {
        type: 'portainer',
        name,
        environment: 'stage',
        values: { url, api_key: key },
      });
      if (r.status !== 201)
        throw new Error(`connection: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.id as string;
    };

    const run = async (
      runbook: string,
      inputs: Record<string, unknown>,
      connections: string[],
    ) => {
      const r = await orch.api('POST', `/v1/runbooks/${runbook}/execute`, {
        inputs,
        environment: 'stage',
        connections,
      });
      if (r.status !== 202)
        throw new Error(
          `execute ${runbook}: ${r.status} ${JSON.stringify(r.body)}`,
        );
      const messages = await orch.follow(r.body.jobId);
      const { job } = await orch.job(r.body.jobId);
      const events = (
        await orch.api('GET', `/v1/jobs/${r.body.jobId}/events?limit=5000`)
      ).body.items as Array<{
        stdout: string;
      }>;
      return {
        job,
        messages,
        events,
        stdout: events.map(e => e.stdout).join('\n'),
      };
    };

    beforeAll(async () => {
      const image = await ensureBusyboxImage();
      app = await startTestContainer({
        image,
        name: `runbooks-${engine}`,
        cmd: [
          'sh',
          '-c',
          'echo ready-1; echo warn-1 >&2; echo ready-2; exec sleep 3600',
        ],
        labels: {
          'com.docker.compose.project': RBTEST,
          'com.docker.compose.service': 'web',
        },
      });
      fake = await FakePortainer.start({
        apiKey,
        stacks: [
          { Id: 4, Name: RBTEST, Type: 2, EndpointId: 1 },
          { Id: 5, Name: 'other-env', Type: 1, EndpointId: 2 },
        ],
      });
      await orch.init();
      await orch.startBackend();
      await orch.startWorker();
      connectionId = await connection(`portainer-${engine}`, fake.url, apiKey);
    });

    afterAll(async () => {
      await orch.close();
      await fake?.stop();
      await app?.remove();
    });

    it("portainer_inventory returns Portainer's version, environments, containers and stacks", async () => {
      const { job } = await run('portainer_inventory', {}, [connectionId]);
      expect(job.status).toBe('SUCCESS');
      expect(job.outputs).toMatchObject({
        portainer_url: fake.url,
        portainer_version: '2.21.4',
        environment_id: 1,
        environments: [{ Id: 1, Name: 'local', Type: 1, Status: 1 }],
        stacks: [{ Id: 4, Name: RBTEST, Type: 2, Status: 1 }],
      });
      expect(job.outputs.containers).toContainEqual(
        expect.objectContaining({
          id: app.id.slice(0, 12),
          name: app.name,
          image: 'orch-test/busybox:latest',
          state: 'running',
          stack: RBTEST,
          service: 'web',
        }),
      );
      expect(job.outputs.counts.containers).toBeGreaterThanOrEqual(1);
      expect(job.outputs.counts.stacks).toBe(1);
      // The playbook used the key, on every authenticated call.
      expect(
        fake.requests
          .filter(q => q.path === '/api/endpoints/1/docker/containers/json')
          .every(q => q.authorized),
      ).toBe(true);
    });

    it("portainer_logs returns the container's lines, stdout and stderr apart", async () => {
      const { job } = await run(
        'portainer_logs',
        { container: app.name, tail: 50, timestamps: true },
        [connectionId],
      );
      expect(job.status).toBe('SUCCESS');
      expect(job.outputs).toMatchObject({
        container: app.name,
        container_id: app.id,
        environment_id: 1,
        tty: false,
        line_count: 3,
      });
      const of = (stream: string) =>
        job.outputs.lines
          .filter((l: any) => l.stream === stream)
          .map((l: any) => l.line);
      expect(of('stdout')).toEqual(['ready-1', 'ready-2']);
      expect(of('stderr')).toEqual(['warn-1']);
      expect(
        job.outputs.lines.every((l: any) =>
          /^\d{4}-\d{2}-\d{2}T.*Z$/.test(l.ts),
        ),
      ).toBe(true);

      const missing = await run(
        'portainer_logs',
        { container: 'orch-test-no-such-container' },
        [connectionId],
      );
      expect(missing.job.status).toBe('ERROR');
      expect(missing.stdout).toContain(
        'No container orch-test-no-such-container in environment 1',
      );
    });

    it('fails clearly with a wrong API key and with Portainer down', async () => {
      const wrong = await connection(
        `wrong-key-${engine}`,
        fake.url,
        'ptr_wrong_key',
      );
      const refused = await run('portainer_inventory', {}, [wrong]);
      expect(refused.job.status).toBe('ERROR');
      expect(refused.job.error).toContain(
        'Check that Portainer accepted the API key',
      );
      expect(refused.stdout).toContain(
        `Portainer at ${fake.url} answered 401 (the API key was refused`,
      );

      await fake.stop();
      try {
        const down = await run('portainer_logs', { container: app.name }, [
          connectionId,
        ]);
        expect(down.job.status).toBe('ERROR');
        expect(down.stdout).toContain(
          `Portainer at ${fake.url} is unreachable`,
        );
      } finally {
        await fake.listen();
      }
    });

    it('keeps the API key out of every event, log, artifact, output and row', async () => {
      const jobs = (await orch.api('GET', '/v1/jobs?limit=500')).body
        .items as Array<{ id: string }>;
      const seen = [
        JSON.stringify(jobs),
        ...(
          await Promise.all(
            jobs.map(j =>
              orch.api('GET', `/v1/jobs/${j.id}/events?limit=5000`),
            ),
          )
        ).map(r => JSON.stringify(r.body)),
        ...(await Promise.all(jobs.map(j => orch.job(j.id)))).map(j =>
          JSON.stringify(j),
        ),
        readAll(join(orch.dir, 'artifacts')),
        orch.workers.map(w => w.output()).join('\n'),
        orch.logs.join('\n'),
        await orch.dumpDatabase(),
      ];
      for (const text of seen) expect(text).not.toContain(apiKey);
      expect(jobs.length).toBeGreaterThanOrEqual(5);
    });
  },
);
