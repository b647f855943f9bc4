import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import portainerPlugin from '@internal/backstage-plugin-portainer-backend';
import type {
  Incident,
  IncidentDetail,
} from '@internal/backstage-plugin-portainer-common';
import { execFileSync } from 'child_process';
import { OrchHarness } from './__testUtils__/orchHarness';

jest.setTimeout(300_000);

/**
 * A job deploys a stack whose service keeps crashing: the portainer plugin,
 * in the same backend, opens one incident for the service, counts the
 * crashes on it, and names the job that deployed it (swarm_deploy labels
 * the service with its job id).
 */
describe('a crashing Swarm service deployed by a job', () => {
  const orch = new OrchHarness('sqlite');
  const stack = `orchinc${Date.now().toString(36)}`;

  beforeAll(async () => {
    await ensureBusyboxImage();
    await orch.init();
    await orch.startBackend({
      extra: [portainerPlugin],
      config: {
        portainer: {
          // Only this stack's containers: the engine is shared.
          incidents: { labels: [`com.docker.stack.namespace=${stack}`] },
        },
      },
    });
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

  it('opens one incident for the service, with its logs and the deploying job', async () => {
    const compose = [
      'version: "3.8"',
      'services:',
      '  crasher:',
      '    image: orch-test/busybox:latest',
      '    command: ["sh", "-c", "echo crashing now; exit 5"]',
      '    deploy:',
      '      restart_policy:',
      '        condition: on-failure',
      '        delay: 1s',
      '        max_attempts: 3',
    ].join('\n');
    const deployId = await orch.execute('swarm_deploy', { stack_name: stack, compose });
    const deployed = await orch.follow(deployId);
    expect(deployed[deployed.length - 1].data.status).toBe('SUCCESS');

    const list = async (): Promise<Incident[]> => {
      const r = await fetch(`${orch.baseUrl}/api/portainer/v1/incidents?stack=${stack}`);
      return (await r.json()).items;
    };
    // Swarm restarts the task after each crash: wait for the second one.
    let incidents: Incident[] = [];
    const deadline = Date.now() + 120_000;
    while (!(incidents.length === 1 && incidents[0].count >= 2) && Date.now() < deadline) {
      incidents = await list();
      if (!(incidents.length === 1 && incidents[0].count >= 2)) {
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    }
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      subjectKind: 'service',
      subject: `${stack}_crasher`,
      service: `${stack}_crasher`,
      stack,
      reason: 'die',
      exitCode: 5,
      status: 'open',
    });
    expect(incidents[0].count).toBeGreaterThanOrEqual(2);

    const detail: IncidentDetail = await (
      await fetch(`${orch.baseUrl}/api/portainer/v1/incidents/${incidents[0].id}`)
    ).json();
    expect(detail.context?.relatedJobIds).toContain(deployId);
    expect(detail.context?.logs.map(l => l.line)).toContain('crashing now');
    expect(detail.context?.service?.labels['orch.job.id']).toBe(deployId);
    expect(detail.timeline.map(t => t.kind).slice(0, 2)).toEqual(['opened', 'recurred']);
  });
});
