/*
 * The watcher against the real dockerd, through a socket proxy the test cuts
 * and restores; and against a tiny HTTP server speaking Docker's /events for
 * what a real engine never sends (lines that are not events).
 */
import { orchTestDatabases } from '@internal/backstage-plugin-orch-node/testUtils';
import Docker from 'dockerode';
import http from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  OutcomeLog,
  on,
  runContainer,
  testRun,
} from '../__testUtils__/harness';
import { DatabaseIncidentStore } from '../database/DatabaseIncidentStore';
import { DockerContextCollector } from '../incidents/DockerContextCollector';
import { IncidentEngine } from '../incidents/IncidentEngine';
import {
  removeTestContainers,
  startDockerSocketProxy,
  waitFor,
  type DockerSocketProxy,
} from '../testUtils';
import { DockerEventWatcher } from './DockerEventWatcher';
import type { DockerEvent } from './types';

jest.setTimeout(120_000);

const databases = orchTestDatabases();
const direct = new Docker({ socketPath: '/var/run/docker.sock' });
const { run, labels, filters } = testRun();
const name = (base: string, db: string) =>
  `pn-${base}-${db.toLowerCase().replace('_', '')}-${run}`;

afterAll(async () => {
  await removeTestContainers(direct, run);
});

/** Resolves on the next call of the returned callback. */
function signal() {
  let waiters: Array<() => void> = [];
  return {
    fire: () => {
      const current = waiters;
      waiters = [];
      current.forEach(w => w());
    },
    next: () => new Promise<void>(resolve => waiters.push(resolve)),
  };
}

describe.each(databases.eachSupportedId())(
  'DockerEventWatcher on dockerd (%s)',
  db => {
    let store: DatabaseIncidentStore;
    let proxy: DockerSocketProxy;
    let engine: IncidentEngine;
    let proxied: Docker;

    beforeAll(async () => {
      store = await DatabaseIncidentStore.fromKnex(await databases.init(db));
      proxy = await startDockerSocketProxy();
      proxied = new Docker({ socketPath: proxy.socketPath });
      const collector = new DockerContextCollector({ docker: proxied });
      engine = new IncidentEngine({ store, collectors: () => collector });
    });

    afterAll(async () => {
      await proxy?.close();
    });

    it('survives losing its connection to dockerd and loses no event of the outage', async () => {
      const outcomes = new OutcomeLog();
      const connected = signal();
      const disconnected = signal();
      const firstConnection = connected.next();
      const watcher = new DockerEventWatcher({
        docker: proxied,
        endpointId: 'local',
        filters,
        initialBackoffMs: 100,
        maxBackoffMs: 500,
        // Batches, as a busy production watcher runs.
        onEvents: async events => {
          const results = await engine.handleBatch(events);
          events.forEach((event, i) =>
            outcomes.push({ event, outcome: results[i] }),
          );
        },
        onConnect: connected.fire,
        onDisconnect: disconnected.fire,
      });
      watcher.start();
      try {
        await firstConnection;
        const before = name('before', db);
        await runContainer(direct, {
          name: before,
          labels,
          cmd: ['sh', '-c', 'exit 5'],
        });
        await outcomes.next(on(before, 'die', 'opened'), `${before} die`);

        // Cut: the open stream dies and reconnects are refused.
        const lost = disconnected.next();
        await proxy.cut();
        await lost;
        expect(watcher.connected).toBe(false);

        // Failures while the watcher is blind.
        const during = [name('during1', db), name('during2', db)];
        const crashed = await runContainer(direct, {
          name: during[0],
          labels,
          cmd: ['sh', '-c', 'echo lost in the outage; exit 7'],
        });
        const flapping = await runContainer(direct, {
          name: during[1],
          labels,
          cmd: ['sh', '-c', 'exit 8'],
          hostConfig: {
            RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
          },
        });
        await crashed.wait();
        // on-failure:2 → three runs; wait for the last exit.
        await waitUntilExitedForGood(flapping);
        expect(watcher.stats.connections).toBe(1);

        const back = connected.next();
        await proxy.restore();
        await back;
        expect(watcher.stats.connections).toBeGreaterThanOrEqual(2);

        const [first] = await Promise.all([
          outcomes.next(
            on(during[0], 'die', 'opened'),
            `${during[0]} die after restore`,
          ),
          outcomes.next(
            h =>
              on(during[1], 'die')(h) &&
              outcomes.items.filter(on(during[1], 'die')).length === 3,
            `${during[1]} third die after restore`,
          ),
        ]);
        if (first.outcome.kind !== 'opened') throw new Error('not opened');
        expect(first.outcome.incident).toMatchObject({ exitCode: 7, count: 1 });
        const context = (await store.getIncident(first.outcome.incident.id))!
          .context!;
        expect(context.logs.map(l => l.line)).toEqual(['lost in the outage']);
        const flap = (await store.findActive(
          { endpointId: 'local', kind: 'container', name: during[1] },
          'die',
        ))!;
        expect(flap).toMatchObject({ count: 3, exitCode: 8 });

        // The replay overlaps what was seen before the cut: dropped, not doubled.
        expect(watcher.stats.duplicates).toBeGreaterThanOrEqual(1);
        const dies = outcomes.items.filter(on(before, 'die'));
        expect(dies).toHaveLength(1);
        const stored = await store.listEvents({
          endpointId: 'local',
          limit: 10_000,
        });
        const keys = stored.map(
          e => `${e.timeNano}|${e.actorId}|${e.rawAction}`,
        );
        expect(new Set(keys).size).toBe(keys.length);
      } finally {
        await watcher.stop();
      }
    });

    it('resumes from the last stored event after a restart of the process', async () => {
      const outcomes = new OutcomeLog();
      const opened = signal();
      const start = (since?: string) => {
        const w = new DockerEventWatcher({
          docker: proxied,
          endpointId: 'resume',
          filters,
          since,
          onEvent: async event => {
            outcomes.push({ event, outcome: await engine.handle(event) });
          },
          onConnect: opened.fire,
        });
        const ready = opened.next();
        w.start();
        return ready.then(() => w);
      };
      const first = await start();
      const seen = name('seen', db);
      await runContainer(direct, {
        name: seen,
        labels,
        cmd: ['sh', '-c', 'exit 3'],
      });
      await outcomes.next(on(seen, 'die', 'opened'), `${seen} die`);
      await first.stop();

      const missed = name('missed', db);
      await (
        await runContainer(direct, {
          name: missed,
          labels,
          cmd: ['sh', '-c', 'exit 4'],
        })
      ).wait();

      const since = await store.lastEventTime('resume');
      expect(since).toBeDefined();
      const second = await start(since);
      try {
        const { outcome } = await outcomes.next(
          on(missed, 'die', 'opened'),
          `${missed} die`,
        );
        expect(outcome.kind).toBe('opened');
        // The replay also brings back what the first process stored: the
        // store knows it already.
        const again = outcomes.items.filter(on(seen, 'die'));
        expect(again.map(h => h.outcome.kind)).toEqual(
          again.length === 2 ? ['opened', 'duplicate'] : ['opened'],
        );
      } finally {
        await second.stop();
      }
    });
  },
);

// The watcher is blind while cut, and Docker has no "gave up restarting"
// event: poll the container's state, bounded.
async function waitUntilExitedForGood(container: Docker.Container) {
  await waitFor(
    async () => {
      const info = await container.inspect();
      return (
        !info.State.Restarting && !info.State.Running && info.RestartCount >= 2
      );
    },
    { what: 'the last restart to exit', intervalMs: 100 },
  );
}

describe('DockerEventWatcher on a stream with bad lines', () => {
  const lines = (n: bigint, id: string) =>
    JSON.stringify({
      Type: 'container',
      Action: 'die',
      Actor: { ID: id, Attributes: { name: id, exitCode: '1' } },
      time: Number(n / 1_000_000_000n),
    }).replace(/}$/, `,"timeNano":${n}}`);
  const T = 1_795_656_974_000_000_000n;
  let server: http.Server;
  let socketPath: string;
  const requests: string[] = [];
  let connections = 0;

  beforeAll(async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pn-fake-events-'));
    socketPath = path.join(dir, 'docker.sock');
    server = http.createServer((req, res) => {
      requests.push(req.url!);
      connections++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (connections === 1) {
        // Split in odd places, with garbage between events.
        const body = [
          lines(T, 'a'),
          'this is not json',
          '[1,2,3]',
          lines(T + 1n, 'b'),
          lines(T + 2n, 'boom'),
          lines(T + 3n, 'c'),
          '',
        ].join('\n');
        res.write(body.slice(0, 37));
        res.write(body.slice(37, 180));
        res.end(body.slice(180));
      } else {
        // The replay after the reconnect repeats the boundary and goes on.
        res.write(`${lines(T + 3n, 'c')}\n${lines(T + 4n, 'd')}\n`);
      }
    });
    await new Promise<void>(resolve => server.listen(socketPath, resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  it('skips what does not parse, survives a failing handler, resumes with since', async () => {
    const handled: DockerEvent[] = [];
    let attemptsOnBoom = 0;
    let done: () => void;
    const gotD = new Promise<void>(resolve => {
      done = resolve;
    });
    const watcher = new DockerEventWatcher({
      docker: new Docker({ socketPath }),
      endpointId: 'fake',
      initialBackoffMs: 10,
      handlerAttempts: 2,
      onEvent: async event => {
        if (event.actorId === 'boom') {
          attemptsOnBoom++;
          throw new Error('handler failure');
        }
        handled.push(event);
        // After the watcher has counted this event as handled.
        if (event.actorId === 'd') setImmediate(done);
      },
    });
    watcher.start();
    try {
      await gotD;
      expect(handled.map(e => e.actorId)).toEqual(['a', 'b', 'c', 'd']);
      expect(attemptsOnBoom).toBe(2);
      expect(watcher.stats).toMatchObject({
        received: 5,
        handled: 4,
        duplicates: 1,
        dropped: 3, // two lines that are not events, one event whose handler failed
      });
      expect(watcher.lastSeen).toBe((T + 4n).toString());
      // The reconnect asks for the last event seen, minus a second of overlap.
      const second = new URL(requests[1], 'http://docker');
      expect(second.searchParams.get('since')).toBe('1795656973.000000003');
      expect(JSON.parse(second.searchParams.get('filters')!)).toMatchObject({
        type: ['container', 'service'],
      });
      expect(
        new URL(requests[0], 'http://docker').searchParams.has('since'),
      ).toBe(false);
    } finally {
      await watcher.stop();
    }
  });
});
