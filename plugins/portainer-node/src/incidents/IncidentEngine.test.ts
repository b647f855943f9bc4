/*
 * The rules against the real dockerd: real containers, real events, real
 * logs; every test on SQLite and Postgres. Containers carry this run's label
 * and are removed in afterAll; the watcher only sees this run's containers.
 */
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import Docker from 'dockerode';
import type { Knex } from 'knex';
import {
  OutcomeLog,
  on,
  runContainer,
  testRun,
} from '../__testUtils__/harness';
import { DatabaseIncidentStore } from '../database/DatabaseIncidentStore';
import { DockerEventWatcher } from '../events/DockerEventWatcher';
import { removeTestContainers, waitFor } from '../testUtils';
import { DockerContextCollector } from './DockerContextCollector';
import { IncidentEngine, QUIET_RESOLVER } from './IncidentEngine';
import type { Incident } from './types';

jest.setTimeout(120_000);

const databases = orchTestDatabases();
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const { run, labels, filters } = testRun();
const name = (base: string, db: string) =>
  `pn-${base}-${db.toLowerCase().replace('_', '')}-${run}`;

afterAll(async () => {
  await removeTestContainers(docker, run);
  const services = await docker.listServices({
    filters: JSON.stringify({ label: [`orch-test.portainer-node=${run}`] }),
  });
  await Promise.all(services.map(s => docker.getService(s.ID).remove()));
});

describe.each(databases.eachSupportedId())(
  'IncidentEngine on dockerd (%s)',
  db => {
    let knex: Knex;
    let store: DatabaseIncidentStore;
    let engine: IncidentEngine;
    let watcher: DockerEventWatcher;
    const outcomes = new OutcomeLog();
    const opened: Incident[] = [];

    beforeAll(async () => {
      knex = await databases.init(db);
      store = await DatabaseIncidentStore.fromKnex(knex);
      const collector = new DockerContextCollector({ docker, logLines: 20 });
      engine = new IncidentEngine({
        store,
        collectors: endpointId =>
          endpointId === 'local' ? collector : undefined,
        quietPeriodMs: 1000,
        onOpened: incident => {
          opened.push(incident);
        },
      });
      const connected = new Promise<void>(resolve => {
        watcher = new DockerEventWatcher({
          docker,
          endpointId: 'local',
          filters,
          onEvent: async event => {
            outcomes.push({ event, outcome: await engine.handle(event) });
          },
          onConnect: resolve,
        });
      });
      watcher.start();
      await connected;
    });

    afterAll(async () => {
      await watcher?.stop();
    });

    it('opens an incident for a container that exits 3, with its last log lines', async () => {
      const n = name('exit3', db);
      await runContainer(docker, {
        name: n,
        labels: {
          ...labels,
          'orch.job.id': 'job-123',
          'app.api-token': 'tok-visible?',
        },
        env: ['DB_PASSWORD=hunter22', 'MODE=batch'],
        cmd: [
          'sh',
          '-c',
          'echo starting; echo "connecting with $DB_PASSWORD"; echo "fatal: bad config" >&2; exit 3',
        ],
      });
      const { outcome } = await outcomes.next(
        on(n, 'die', 'opened'),
        `${n} die`,
      );
      if (outcome.kind !== 'opened') throw new Error('not opened');
      expect(outcome.incident).toMatchObject({
        subjectKind: 'container',
        subject: n,
        reason: 'die',
        status: 'open',
        count: 1,
        exitCode: 3,
      });
      expect(opened.map(i => i.id)).toContain(outcome.incident.id);

      const incident = (await store.getIncident(outcome.incident.id))!;
      const context = incident.context!;
      // Docker copies stdout and stderr separately: their relative order in
      // the log is not the order they were written in; each stream's is.
      const lines = (stream: string) =>
        context.logs.filter(l => l.stream === stream).map(l => l.line);
      expect(lines('stdout')).toEqual(['starting', 'connecting with ********']);
      expect(lines('stderr')).toEqual(['fatal: bad config']);
      expect(context.logs.every(l => l.ts && /Z$/.test(l.ts))).toBe(true);
      expect(context.container).toMatchObject({
        name: n,
        image: 'orch-test/busybox:latest',
        state: { status: 'exited', exitCode: 3, oomKilled: false },
      });
      expect(context.container!.env).toEqual(
        expect.arrayContaining([
          { name: 'DB_PASSWORD', value: '********', redacted: true },
          { name: 'MODE', value: 'batch', redacted: false },
        ]),
      );
      expect(context.container!.labels['app.api-token']).toBe('********');
      expect(context.relatedJobIds).toEqual(['job-123']);
      expect(JSON.stringify(incident)).not.toContain('hunter22');
      expect(JSON.stringify(await knex('docker_events'))).not.toContain(
        'tok-visible',
      );
    });

    it('opens an oom incident for a memory hog under --memory 8m', async () => {
      const n = name('oom', db);
      // The pause lets Docker start watching the container's memory first:
      // a hog that fills 8 MiB at once is killed before, and no oom event comes.
      await runContainer(docker, {
        name: n,
        labels,
        cmd: [
          'sh',
          '-c',
          'echo hogging; sleep 1; x=a; while true; do x=$x$x; done',
        ],
        hostConfig: { Memory: 8 * 1024 * 1024 },
      });
      const { outcome } = await outcomes.next(
        on(n, 'oom', 'opened'),
        `${n} oom`,
      );
      if (outcome.kind !== 'opened') throw new Error('not opened');
      expect(outcome.incident).toMatchObject({
        reason: 'oom',
        subject: n,
        count: 1,
      });
      // The die 137 that follows joins the oom incident instead of opening one.
      const die = await outcomes.next(on(n, 'die'), `${n} die`);
      expect(die.event.exitCode).toBe(137);
      expect(die.outcome).toEqual({
        kind: 'noted',
        incidentId: outcome.incident.id,
      });
      expect((await store.getIncident(outcome.incident.id))?.exitCode).toBe(
        137,
      );
      expect(
        await store.findActive(
          { endpointId: 'local', kind: 'container', name: n },
          'die',
        ),
      ).toBeUndefined();
      const timeline = await store.listTimeline(outcome.incident.id);
      expect(timeline.map(t => t.kind)).toEqual(['opened', 'event']);
      expect(timeline[1].detail).toMatch(
        /exited with code 137 after running out of memory/,
      );
    });

    it('opens an unhealthy incident for a failing healthcheck', async () => {
      const n = name('unhealthy', db);
      await runContainer(docker, {
        name: n,
        labels,
        cmd: ['sleep', '300'],
        healthcheck: {
          Test: ['CMD-SHELL', 'echo probe failed; exit 1'],
          Interval: 500_000_000,
          Timeout: 2_000_000_000,
          Retries: 1,
        },
      });
      const { outcome } = await outcomes.next(
        on(n, 'health_status', 'opened'),
        `${n} unhealthy`,
      );
      if (outcome.kind !== 'opened') throw new Error('not opened');
      expect(outcome.incident).toMatchObject({
        reason: 'unhealthy',
        subject: n,
      });
      expect(outcome.incident.exitCode).toBeUndefined();
      const context = (await store.getIncident(outcome.incident.id))!.context!;
      expect(context.container?.state.health).toBe('unhealthy');
      expect(context.container?.state.healthLog?.[0]?.output).toMatch(
        /probe failed/,
      );
      expect(context.container?.healthcheck?.test).toEqual([
        'CMD-SHELL',
        'echo probe failed; exit 1',
      ]);
    });

    it('keeps five restarts in a row as one incident with a count of 5', async () => {
      const n = name('flap', db);
      const container = await runContainer(docker, {
        name: n,
        labels,
        cmd: ['sh', '-c', 'echo run; exit 2'],
        hostConfig: {
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 4 },
        },
      });
      const isDie = on(n, 'die');
      await outcomes.next(
        h => isDie(h) && outcomes.items.filter(isDie).length === 5,
        `${n} fifth die`,
      );
      const dies = outcomes.items.filter(isDie);
      expect(dies.map(d => d.outcome.kind)).toEqual([
        'opened',
        'recurred',
        'recurred',
        'recurred',
        'recurred',
      ]);
      const info = await container.inspect();
      expect(info.RestartCount).toBe(4);
      expect(info.State.Status).toBe('exited');
      const list = await store.listIncidents({}, { limit: 100 });
      const mine = list.items.filter(i => i.subject === n);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ count: 5, exitCode: 2, status: 'open' });
      expect((await store.listTimeline(mine[0].id)).map(t => t.kind)).toEqual([
        'opened',
        'recurred',
        'recurred',
        'recurred',
        'recurred',
      ]);
    });

    it('takes a stop for a stop, not a failure', async () => {
      const n = name('stopped', db);
      const container = await runContainer(docker, {
        name: n,
        labels,
        cmd: ['sleep', '300'],
      });
      // sleep as PID 1 ignores SIGTERM: the stop ends with SIGKILL, exit 137.
      await container.stop({ t: 1 });
      const die = await outcomes.next(on(n, 'die'), `${n} die`);
      expect(die.event.exitCode).toBe(137);
      expect(die.outcome.kind).toBe('stored');
      expect(
        (await store.listIncidents({}, { limit: 100 })).items.filter(
          i => i.subject === n,
        ),
      ).toEqual([]);
    });

    it('resolves after a quiet period when the subject is up, or gone', async () => {
      const up = name('recovers', db);
      const down = name('staysdown', db);
      const removed = name('removed', db);
      // Fails once, then runs: the file survives the restart of the same container.
      const recovering = await runContainer(docker, {
        name: up,
        labels,
        cmd: [
          'sh',
          '-c',
          'if [ -f /ran ]; then sleep 300; else echo > /ran; exit 4; fi',
        ],
        hostConfig: {
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 },
        },
      });
      await runContainer(docker, {
        name: down,
        labels,
        cmd: ['sh', '-c', 'exit 5'],
      });
      const gone = await runContainer(docker, {
        name: removed,
        labels,
        cmd: ['sh', '-c', 'exit 6'],
      });
      const [a, b, c] = await Promise.all(
        [up, down, removed].map(n =>
          outcomes.next(on(n, 'die', 'opened'), `${n} die`),
        ),
      );
      await outcomes.next(on(up, 'start'), `${up} restart`);
      await waitFor(async () => (await recovering.inspect()).State.Running, {
        what: `${up} running again`,
      });
      await gone.remove({ force: true });

      // At the time of the last failure nothing is quiet yet (a wall-clock
      // "now" would depend on how fast this machine restarted the container).
      const lastFailure = Math.max(
        ...[a, b, c].map(h => Number(BigInt(h.event.timeNano) / 1_000_000n)),
      );
      expect(await engine.resolveQuiet(new Date(lastFailure))).toEqual([]);
      // Later than the quiet period after both the failure and the restart.
      const later = new Date(Date.now() + 5000);
      const resolved = await engine.resolveQuiet(later);
      const byId = new Map(resolved.map(i => [i.id, i]));
      const incidentOf = (h: typeof a) =>
        h.outcome.kind === 'opened' ? h.outcome.incident.id : '';
      expect(byId.get(incidentOf(a))).toMatchObject({
        status: 'resolved',
        resolvedBy: QUIET_RESOLVER,
      });
      expect(byId.get(incidentOf(c))).toMatchObject({ status: 'resolved' });
      expect(byId.has(incidentOf(b))).toBe(false);
      expect((await store.getIncident(incidentOf(b)))?.status).toBe('open');
      const timeline = await store.listTimeline(incidentOf(c));
      expect(timeline[timeline.length - 1].detail).toMatch(/no longer exists/);
      // Done is done: a second pass resolves nothing more.
      expect((await engine.resolveQuiet(later)).map(i => i.id)).not.toContain(
        incidentOf(a),
      );
    });

    it('acknowledges and resolves by hand', async () => {
      const n = name('manual', db);
      await runContainer(docker, {
        name: n,
        labels,
        cmd: ['sh', '-c', 'exit 9'],
      });
      const { outcome } = await outcomes.next(
        on(n, 'die', 'opened'),
        `${n} die`,
      );
      if (outcome.kind !== 'opened') throw new Error('not opened');
      const acked = await engine.ack(outcome.incident.id, 'user:default/ops');
      expect(acked).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'user:default/ops',
      });
      const resolved = await engine.resolve(
        outcome.incident.id,
        'user:default/ops',
      );
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolvedBy: 'user:default/ops',
      });
      await expect(engine.resolve(outcome.incident.id, 'x')).rejects.toThrow(
        /already resolved/,
      );
    });

    it('opens one incident per Swarm service, whose tasks change containers', async () => {
      const info = await docker.info();
      if (info.Swarm?.LocalNodeState !== 'active') {
        throw new Error(
          'the test engine is not in a swarm (script/test runs `docker swarm init`)',
        );
      }
      const svc = name('svc', db);
      await docker.createService({
        Name: svc,
        Labels: { ...labels, 'orch.job.id': 'job-deploy-7' },
        TaskTemplate: {
          ContainerSpec: {
            Image: 'orch-test/busybox:latest',
            Command: ['sh', '-c', 'echo task up; exit 1'],
            Labels: labels,
            Env: ['SERVICE_TOKEN=abcd1234'],
          },
          RestartPolicy: {
            Condition: 'on-failure',
            Delay: 100_000_000,
            MaxAttempts: 2,
          },
        },
        Mode: { Replicated: { Replicas: 1 } },
      } as any);
      const isDie = (h: { event: { serviceName?: string; action: string } }) =>
        h.event.serviceName === svc && h.event.action === 'die';
      await outcomes.next(
        h => isDie(h) && outcomes.items.filter(isDie).length === 3,
        `${svc} third task die`,
        60_000,
      );
      const dies = outcomes.items.filter(isDie);
      expect(new Set(dies.map(d => d.event.containerId)).size).toBe(3);
      expect(dies.map(d => d.outcome.kind)).toEqual([
        'opened',
        'recurred',
        'recurred',
      ]);
      const first = dies[0].outcome;
      if (first.kind !== 'opened') throw new Error('not opened');
      expect(first.incident).toMatchObject({
        subjectKind: 'service',
        subject: svc,
        service: svc,
        reason: 'die',
        exitCode: 1,
      });
      const incident = (await store.getIncident(first.incident.id))!;
      expect(incident.count).toBe(3);
      expect(incident.context?.service).toMatchObject({
        name: svc,
        mode: 'replicated',
        replicas: 1,
      });
      expect(incident.context?.service?.env).toEqual([
        { name: 'SERVICE_TOKEN', value: '********', redacted: true },
      ]);
      expect(incident.context?.relatedJobIds).toEqual(['job-deploy-7']);
      expect(incident.context?.logs.map(l => l.line)).toEqual(['task up']);
    });
  },
);
