import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import Docker from 'dockerode';
import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import net from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import {
  collectSse,
  startTestContainer,
  waitFor,
  type TestContainer,
} from './__testUtils__';
import { portainerPlugin } from './plugin';

jest.setTimeout(120_000);

// Unique per run: parallel runs share the Docker engine.
const ORCHTEST = `orchtest-${Math.random().toString(36).slice(2, 8)}`;
const ORCHSVC = `orchsvc-${Math.random().toString(36).slice(2, 8)}`;

const DOCKER_SOCKET = '/var/run/docker.sock';
const CANARY = `canary-db-${Math.random().toString(36).slice(2)}`;

/**
 * A unix socket in front of the Docker socket that a test can turn into a
 * black hole: connections are then accepted and never answered.
 */
class SocketGate {
  readonly dir = mkdtempSync(join(tmpdir(), 'orch-gate-'));
  readonly path = join(this.dir, 'docker.sock');
  private hang = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer(client => {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => {});
    if (this.hang) return;
    const upstream = net.connect(DOCKER_SOCKET);
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });

  /** From now on, answer nothing: open connections (pooled ones too) are cut. */
  blackHole() {
    this.hang = true;
    for (const s of this.sockets) s.destroy();
  }

  start() {
    return new Promise<void>(resolve => this.server.listen(this.path, resolve));
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    await new Promise(resolve => this.server.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function startBackend(portainer: object, extra: any[] = []) {
  return startTestBackend({
    features: [
      portainerPlugin,
      mockServices.rootConfig.factory({ data: { portainer } }),
      ...extra,
    ],
  });
}

describe('portainer plugin, local endpoint on the real dockerd', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let server: typeof backend.server;
  const containers: TestContainer[] = [];
  let app: TestContainer;
  let tty: TestContainer;
  /** Every answer body, to look for the canary at the end. */
  const seen: string[] = [];
  const get = async (path: string) => {
    const r = await request(server).get(`/api/portainer${path}`);
    seen.push(r.text);
    return r;
  };

  beforeAll(async () => {
    const image = await ensureBusyboxImage();
    app = await startTestContainer({
      image,
      name: 'portainer-app',
      cmd: [
        'sh',
        '-c',
        'echo out-1; echo err-1 >&2; echo out-2; exec sleep 3600',
      ],
      env: [
        `DB_PASSWORD=${CANARY}`,
        `API_TOKEN=${CANARY}`,
        `DATABASE_URL=postgres://app:${CANARY}@db:5432/app`,
        'PLAIN=visible',
      ],
      labels: {
        'com.docker.compose.project': ORCHTEST,
        'com.docker.compose.service': 'web',
        'app.secret': CANARY,
      },
    });
    tty = await startTestContainer({
      image,
      name: 'portainer-tty',
      tty: true,
      cmd: ['sh', '-c', 'echo tty-out; echo tty-err >&2; exec sleep 3600'],
    });
    containers.push(app, tty);
    backend = await startBackend({ timeouts: { requestMs: 3000 } });
    server = backend.server;
    // The app's three lines are out before the tests read them.
    await waitFor(async () => {
      const r = await request(server).get(
        `/api/portainer/v1/containers/${app.id}/logs?endpointId=local`,
      );
      return r.body.lines?.length === 3;
    });
  });

  afterAll(async () => {
    await backend?.stop();
    for (const c of containers) await c.remove();
  });

  it('lists the local endpoint with its status', async () => {
    const r = await get('/v1/endpoints');
    expect(r.status).toBe(200);
    const local = r.body.items.find((e: any) => e.id === 'local');
    expect(local).toMatchObject({
      id: 'local',
      kind: 'local',
      status: { reachable: true, swarmRole: 'manager' },
    });
    expect(local.status.version).toMatch(/^\d+\.\d+/);
    expect(local.status.apiVersion).toMatch(/^1\.\d+$/);
    // No orch plugin in this backend: its connections are named as missing.
    expect(r.body.errors[0].source).toBe('orch');
  });

  it('lists containers with state, health, stack and service, detailed, and filters them', async () => {
    const r = await get('/v1/containers?endpointId=local');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      endpointId: 'local',
      stale: false,
      ageSeconds: 0,
    });
    const mine = r.body.items.find((c: any) => c.id === app.id);
    expect(mine).toMatchObject({
      name: app.name,
      image: 'orch-test/busybox:latest',
      state: 'running',
      health: 'none',
      stack: ORCHTEST,
      service: 'web',
    });
    expect(mine.labels['app.secret']).toBe('********');

    const byStack = await get(
      `/v1/containers?endpointId=local&stack=${ORCHTEST}`,
    );
    expect(byStack.body.items.map((c: any) => c.id)).toEqual([app.id]);
    expect(byStack.body.detailed).toBe(true);
    expect(byStack.body.items[0].restartCount).toBe(0);
    expect(Date.parse(byStack.body.items[0].started)).toBeGreaterThan(
      Date.parse(byStack.body.items[0].created) - 1000,
    );
    const byLabel = await get(
      '/v1/containers?endpointId=local&label=com.docker.compose.service=web&label=com.docker.compose.project',
    );
    expect(byLabel.body.items.map((c: any) => c.id)).toEqual([app.id]);
    const exited = await get(
      `/v1/containers?endpointId=local&status=exited&stack=${ORCHTEST}`,
    );
    expect(exited.body.items).toEqual([]);
    // A secret label's value cannot be probed through the filter.
    const probe = await get(
      `/v1/containers?endpointId=local&label=app.secret=${CANARY}`,
    );
    expect(probe.body.items).toEqual([]);
  });

  it('gives a container spec with secret-looking env values redacted', async () => {
    const r = await get(`/v1/containers/${app.id}?endpointId=local`);
    expect(r.status).toBe(200);
    const env = Object.fromEntries(r.body.env.map((e: any) => [e.name, e]));
    expect(env.DB_PASSWORD).toEqual({
      name: 'DB_PASSWORD',
      value: '********',
      redacted: true,
    });
    expect(env.API_TOKEN.value).toBe('********');
    expect(env.DATABASE_URL.value).toBe('postgres://app:********@db:5432/app');
    expect(env.PLAIN).toEqual({
      name: 'PLAIN',
      value: 'visible',
      redacted: false,
    });
    expect(r.body).toMatchObject({
      endpointId: 'local',
      id: app.id,
      tty: false,
      command: [
        'sh',
        '-c',
        'echo out-1; echo err-1 >&2; echo out-2; exec sleep 3600',
      ],
      stateDetail: { running: true, oomKilled: false, exitCode: 0 },
      restartCount: 0,
    });
    // By name too.
    const byName = await get(`/v1/containers/${app.name}?endpointId=local`);
    expect(byName.body.id).toBe(app.id);
    expect(r.text).not.toContain(CANARY);
  });

  it('returns logs with stdout and stderr separated, tail and timestamps', async () => {
    const r = await get(`/v1/containers/${app.id}/logs?endpointId=local`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      endpointId: 'local',
      containerId: app.id,
      truncated: false,
    });
    // Order within a stream is kept; across the two pipes Docker gives none.
    const of = (stream: string) =>
      r.body.lines
        .filter((l: any) => l.stream === stream)
        .map((l: any) => l.line);
    expect(of('stdout')).toEqual(['out-1', 'out-2']);
    expect(of('stderr')).toEqual(['err-1']);
    expect(r.body.lines).toHaveLength(3);
    const last = await get(
      `/v1/containers/${app.id}/logs?endpointId=local&tail=1&timestamps=true`,
    );
    expect(last.body.lines).toHaveLength(1);
    // The last line of one of the two pipes: Docker orders them by time.
    expect(['stdout:out-2', 'stderr:err-1']).toContain(
      `${last.body.lines[0].stream}:${last.body.lines[0].line}`,
    );
    expect(last.body.lines[0].ts).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    const future = await get(
      `/v1/containers/${app.id}/logs?endpointId=local&since=${
        Math.floor(Date.now() / 1000) + 3600
      }`,
    );
    expect(future.body.lines).toEqual([]);
  });

  it('reads a TTY container as one stdout stream', async () => {
    const r = await waitFor(async () => {
      const x = await get(`/v1/containers/${tty.id}/logs?endpointId=local`);
      return x.body.lines?.length === 2 && x;
    });
    expect(r.body.lines).toEqual([
      { stream: 'stdout', line: 'tty-out' },
      { stream: 'stdout', line: 'tty-err' },
    ]);
  });

  it('follows logs over SSE, resumes after Last-Event-ID, and ends when the container stops', async () => {
    const image = await ensureBusyboxImage();
    const ticker = await startTestContainer({
      image,
      name: 'portainer-ticker',
      cmd: [
        'sh',
        '-c',
        'i=0; while [ $i -lt 40 ]; do echo tick-$i; echo tock-$i >&2; i=$((i+1)); sleep 0.1; done',
      ],
    });
    containers.push(ticker);
    const base = `http://127.0.0.1:${
      (server.address() as any).port
    }/api/portainer/v1/containers/${ticker.id}/logs/stream?endpointId=local`;
    const first = await collectSse(base, (_m, all) => all.length >= 6);
    expect(first.every(m => m.event === 'message' && m.id)).toBe(true);
    expect(first.map(m => m.data.stream)).toContain('stderr');
    const ticks = first
      .filter(m => m.data.stream === 'stdout')
      .map(m => m.data.line);
    expect(ticks[0]).toBe('tick-0');

    // Resume: nothing before Last-Event-ID again, nothing lost after it.
    const lastSeen = first[first.length - 1];
    const rest = await collectSse(
      `${base}&timestamps=true`,
      m => m.event === 'end',
      {
        lastEventId: lastSeen.id,
      },
    );
    expect(rest[rest.length - 1].event).toBe('end');
    const lines = [...first, ...rest.filter(m => m.event === 'message')].map(
      m => `${m.data.stream}:${m.data.line}`,
    );
    const expected = Array.from({ length: 40 }, (_, i) => [
      `stdout:tick-${i}`,
      `stderr:tock-${i}`,
    ]).flat();
    expect([...lines].sort()).toEqual([...expected].sort());
    expect(new Set(lines).size).toBe(lines.length);
    expect(rest.find(m => m.event === 'message')!.data.ts).toMatch(/Z$/);
  });

  it('answers 400 naming each bad parameter', async () => {
    const missing = await get('/v1/containers');
    expect(missing.status).toBe(400);
    expect(missing.body.fields).toEqual([
      { field: 'endpointId', message: 'is required' },
    ]);

    const bad = await get(
      '/v1/containers?endpointId=nope&status=zombie&label=a&label=b&stack=x&stack=y',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual([
      'endpointId',
      'stack',
      'status',
    ]);

    const logs = await get(
      `/v1/containers/${app.id}/logs?endpointId=local&tail=abc&since=yesterday&timestamps=maybe`,
    );
    expect(logs.status).toBe(400);
    expect(logs.body.fields.map((f: any) => f.field).sort()).toEqual([
      'since',
      'tail',
      'timestamps',
    ]);
    const tooMany = await get(
      `/v1/containers/${app.id}/logs?endpointId=local&tail=999999`,
    );
    expect(tooMany.status).toBe(400);

    const badId = await get('/v1/containers/..%2F..%2Fetc?endpointId=local');
    expect(badId.status).toBe(400);
    expect(badId.body.fields[0].field).toBe('id');
    for (const path of ['/v1/stacks', '/v1/services']) {
      expect((await get(path)).status).toBe(400);
    }
  });

  it('answers 404 for an unknown container', async () => {
    const r = await get(
      '/v1/containers/orch-test-no-such-container?endpointId=local',
    );
    expect(r.status).toBe(404);
    expect(r.body.error.message).toContain('orch-test-no-such-container');
    const logs = await get(
      '/v1/containers/orch-test-no-such-container/logs?endpointId=local',
    );
    expect(logs.status).toBe(404);
    const stream = await get(
      '/v1/containers/orch-test-no-such-container/logs/stream?endpointId=local',
    );
    expect(stream.status).toBe(404);
  });

  it('lists swarm services and stacks from labels', async () => {
    const docker = new Docker({ socketPath: DOCKER_SOCKET });
    const image = await ensureBusyboxImage();
    const name = `orch-test-svc-${Date.now()}`;
    const service = await docker.createService({
      Name: name,
      Labels: {
        'com.docker.stack.namespace': ORCHSVC,
        'app.api_key': CANARY,
      },
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          Command: ['sleep', '3600'],
          StopGracePeriod: 1e9,
        },
      },
      Mode: { Replicated: { Replicas: 1 } },
    } as any);
    try {
      const services = await get('/v1/services?endpointId=local');
      expect(services.status).toBe(200);
      expect(services.body.swarm).toBe(true);
      expect(
        services.body.items.find((s: any) => s.name === name),
      ).toMatchObject({
        id: service.id,
        image,
        mode: 'replicated',
        replicas: 1,
        stack: ORCHSVC,
        labels: { 'app.api_key': '********' },
      });
      const stacks = await get('/v1/stacks?endpointId=local');
      expect(stacks.status).toBe(200);
      expect(
        stacks.body.items.find((s: any) => s.name === ORCHSVC),
      ).toMatchObject({
        type: 'swarm',
        source: 'labels',
        services: 1,
      });
      expect(
        stacks.body.items.find((s: any) => s.name === ORCHTEST),
      ).toMatchObject({
        type: 'compose',
        source: 'labels',
        containers: 1,
        running: 1,
      });
    } finally {
      await service.remove().catch(() => {});
    }
  });

  it('checks permissions on every route: 401 anonymous, 403 when the policy refuses', async () => {
    const denying = await startBackend({}, [
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    try {
      const paths = [
        '/v1/endpoints',
        '/v1/containers?endpointId=local',
        `/v1/containers/${app.id}?endpointId=local`,
        `/v1/containers/${app.id}/logs?endpointId=local`,
        `/v1/containers/${app.id}/logs/stream?endpointId=local`,
        '/v1/stacks?endpointId=local',
        '/v1/services?endpointId=local',
      ];
      for (const path of paths) {
        const denied = await request(denying.server).get(
          `/api/portainer${path}`,
        );
        expect([path, denied.status]).toEqual([path, 403]);
        const anonymous = await request(server)
          .get(`/api/portainer${path}`)
          .set('Authorization', mockCredentials.none.header());
        expect([path, anonymous.status]).toEqual([path, 401]);
      }
    } finally {
      await denying.stop();
    }
  });

  // Last: every answer of the tests above.
  it('never returned the secret env value in any answer', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const text of seen) expect(text).not.toContain(CANARY);
  });
});

describe('portainer plugin, local endpoint down or absent', () => {
  it('serves the last inventory marked stale when the socket stops answering, and 503 naming the endpoint otherwise', async () => {
    const gate = new SocketGate();
    await gate.start();
    const backend = await startBackend({
      local: { socketPath: gate.path },
      timeouts: { requestMs: 800, probeMs: 500 },
    });
    try {
      const fresh = await request(backend.server).get(
        '/api/portainer/v1/containers?endpointId=local',
      );
      expect(fresh.status).toBe(200);
      expect(fresh.body.stale).toBe(false);

      gate.blackHole();
      const started = Date.now();
      const stale = await request(backend.server).get(
        '/api/portainer/v1/containers?endpointId=local',
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(stale.status).toBe(200);
      expect(stale.body).toMatchObject({
        stale: true,
        detailed: false,
        fetchedAt: fresh.body.fetchedAt,
      });
      expect(stale.body.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(stale.body.error).toContain(
        'Endpoint "local" did not answer within 800 ms',
      );
      expect(stale.body.items.length).toBe(fresh.body.items.length);

      const detail = await request(backend.server).get(
        `/api/portainer/v1/containers/${
          fresh.body.items[0]?.id ?? 'x'
        }?endpointId=local`,
      );
      expect(detail.status).toBe(503);
      expect(detail.body.endpoint).toMatchObject({
        id: 'local',
        name: 'local',
      });
      expect(detail.body.error.message).toContain('"local"');

      const endpoints = await request(backend.server).get(
        '/api/portainer/v1/endpoints',
      );
      expect(endpoints.body.items[0]).toMatchObject({
        id: 'local',
        status: { reachable: false },
      });
      expect(endpoints.body.items[0].error).toContain(
        'did not answer within 500 ms',
      );
    } finally {
      await backend.stop();
      await gate.stop();
    }
  });

  it('has no local endpoint without a socket, and says how to start an engine: 404', async () => {
    const backend = await startBackend({
      local: { socketPath: '/nonexistent/docker.sock' },
    });
    try {
      const endpoints = await request(backend.server).get(
        '/api/portainer/v1/endpoints',
      );
      expect(endpoints.body.items).toEqual([]);
      expect(endpoints.body.errors).toContainEqual({
        source: 'local',
        message:
          "No Docker engine answers at /nonexistent/docker.sock: start one with 'dockerd &' (or 'sudo systemctl start docker')",
      });
      const r = await request(backend.server).get(
        '/api/portainer/v1/containers?endpointId=local',
      );
      expect(r.status).toBe(404);
      expect(r.body.error.message).toContain('/nonexistent/docker.sock');
    } finally {
      await backend.stop();
    }
  });

  it('says how to start an engine when the socket file is left but nothing answers on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-nodocker-'));
    // A file where the socket was: connecting to it is refused, as to a
    // socket whose daemon stopped.
    const socketPath = join(dir, 'docker.sock');
    writeFileSync(socketPath, '');
    const backend = await startBackend({ local: { socketPath } });
    try {
      const endpoints = await request(backend.server).get(
        '/api/portainer/v1/endpoints',
      );
      expect(endpoints.body.items).toEqual([
        expect.objectContaining({
          id: 'local',
          kind: 'local',
          status: expect.objectContaining({ reachable: false, noEngine: true }),
          error: `No Docker engine answers at ${socketPath}: start one with 'dockerd &' (or 'sudo systemctl start docker')`,
        }),
      ]);
    } finally {
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
