import { createHash, randomBytes } from 'crypto';
import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo, Socket } from 'net';

/** A Portainer environment as the fake lists it. */
export type FakeEnvironment = {
  Id: number;
  Name: string;
  /** 1 Docker, 2 agent, … */
  Type?: number;
};

/** A Portainer stack as the fake lists it. */
export type FakeStack = {
  Id: number;
  Name: string;
  /** 1 Swarm, 2 Compose. */
  Type: number;
  EndpointId: number;
  /** 1 active, 2 inactive. */
  Status?: number;
};

export type FakePortainerOptions = {
  /** The only API key accepted (`X-API-Key`). */
  apiKey: string;
  /** Where `/api/endpoints/{id}/docker/*` is forwarded. */
  dockerSocketPath?: string;
  /** @defaultValue one Docker environment, `{ Id: 1, Name: 'local' }` */
  environments?: FakeEnvironment[];
  stacks?: FakeStack[];
  /** @defaultValue 2.21.4 */
  version?: string;
};

/** One request the fake received. */
export type FakeRequest = {
  method: string;
  path: string;
  /** Whether it carried the right API key. */
  authorized: boolean;
};

const MAX_LOGGED = 2000;

/**
 * A local stand-in for Portainer CE's HTTP API, enough for Orch:
 * `GET /api/system/status` and `/api/status` (public, `{Version,
 * InstanceID}`), and behind `X-API-Key` (401 without it or with a wrong one)
 * `/api/system/version`, `/api/endpoints`, `/api/endpoints/{id}`,
 * `/api/stacks` (with `filters={"EndpointID":n}`), and
 * `/api/endpoints/{id}/docker/*` forwarded to a real Docker socket, bodies
 * streamed both ways (followed logs included).
 *
 * Tests can stop it (Portainer down: connections refused, open streams
 * cut) and start it again on the same port, slow every answer down, and
 * make an environment list N synthetic containers.
 */
export class FakePortainer {
  readonly requests: FakeRequest[] = [];
  /** Added to every answer, to play a slow Portainer. */
  delayMs = 0;
  private readonly sockets = new Set<Socket>();
  private readonly synthetic = new Map<number, string>();
  private server?: http.Server;
  private port = 0;
  private readonly instanceId = randomBytes(8).toString('hex');

  private constructor(private readonly options: FakePortainerOptions) {}

  static async start(options: FakePortainerOptions): Promise<FakePortainer> {
    const fake = new FakePortainer(options);
    await fake.listen();
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts again (after {@link FakePortainer.stop}) on the same port. */
  async listen(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch(e => {
        if (!res.headersSent) json(res, 500, { message: String(e) });
        else res.destroy();
      });
    });
    server.on('connection', socket => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Portainer goes down: new connections are refused, open ones cut. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>(resolve => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Makes environment `environmentId` list `count` synthetic containers (0: the real ones). */
  setSyntheticContainers(environmentId: number, count: number) {
    if (count <= 0) this.synthetic.delete(environmentId);
    else
      this.synthetic.set(
        environmentId,
        JSON.stringify(syntheticContainers(count)),
      );
  }

  private get environments(): Array<Required<FakeEnvironment>> {
    return (this.options.environments ?? [{ Id: 1, Name: 'local' }]).map(e => ({
      Type: 1,
      ...e,
    }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://portainer');
    const authorized = req.headers['x-api-key'] === this.options.apiKey;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      authorized,
    });
    if (this.requests.length > MAX_LOGGED) this.requests.shift();
    if (this.delayMs) await new Promise(r => setTimeout(r, this.delayMs));
    const path = url.pathname.replace(/\/+$/, '');

    if (path === '/api/system/status' || path === '/api/status') {
      json(res, 200, { Version: this.version, InstanceID: this.instanceId });
      return;
    }
    if (!path.startsWith('/api/')) {
      json(res, 404, { message: 'Not found', details: 'not found' });
      return;
    }
    if (!authorized) {
      json(res, 401, {
        message: 'A valid authorisation token is missing',
        details: 'Unauthorized',
      });
      return;
    }
    if (path === '/api/system/version') {
      json(res, 200, {
        ServerVersion: this.version,
        DatabaseVersion: this.version,
        ServerEdition: 'CE',
        Build: { BuildNumber: 'fake', GoVersion: 'go1.22' },
      });
      return;
    }
    if (path === '/api/endpoints') {
      json(
        res,
        200,
        this.environments.map(e => this.environment(e)),
      );
      return;
    }
    if (path === '/api/stacks') {
      let stacks = this.options.stacks ?? [];
      const filters = url.searchParams.get('filters');
      if (filters) {
        const id = JSON.parse(filters).EndpointID;
        if (typeof id === 'number')
          stacks = stacks.filter(s => s.EndpointId === id);
      }
      json(
        res,
        200,
        stacks.map(s => ({
          Status: 1,
          SwarmId: s.Type === 1 ? 'fake-swarm' : '',
          CreationDate: 1732579200,
          CreatedBy: 'admin',
          ...s,
        })),
      );
      return;
    }
    const m = /^\/api\/endpoints\/(\d+)(\/docker(\/.*)?)?$/.exec(path);
    if (m) {
      const environment = this.environments.find(e => e.Id === Number(m[1]));
      if (!environment) {
        json(res, 404, {
          message:
            'Unable to find an environment with the specified identifier inside the database',
          details: 'object not found inside the database',
        });
        return;
      }
      if (!m[2]) {
        json(res, 200, this.environment(environment));
        return;
      }
      const dockerPath = m[3] ?? '/';
      const synthetic = this.synthetic.get(environment.Id);
      if (synthetic && /^(\/v[\d.]+)?\/containers\/json$/.test(dockerPath)) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(synthetic);
        return;
      }
      this.forward(req, res, `${dockerPath}${url.search}`);
      return;
    }
    json(res, 404, { message: 'Not found', details: path });
  }

  private get version() {
    return this.options.version ?? '2.21.4';
  }

  private environment(e: Required<FakeEnvironment>) {
    return {
      Id: e.Id,
      Name: e.Name,
      Type: e.Type,
      URL: `unix://${this.socketPath}`,
      Status: 1,
      GroupId: 1,
      PublicURL: '',
      TagIds: [],
      Snapshots: [],
    };
  }

  private get socketPath() {
    return this.options.dockerSocketPath ?? '/var/run/docker.sock';
  }

  /** Portainer's Docker proxy: the request, minus Portainer's auth, to the socket; the answer back, streamed. */
  private forward(req: IncomingMessage, res: ServerResponse, path: string) {
    const headers = { ...req.headers };
    delete headers['x-api-key'];
    delete headers.authorization;
    headers.host = 'docker';
    const upstream = http.request(
      { socketPath: this.socketPath, method: req.method, path, headers },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', e => {
      if (!res.headersSent) {
        json(res, 502, {
          message: 'Unable to proxy the request via the Docker socket',
          details: e.message,
        });
      } else res.destroy();
    });
    // A client that goes away (a followed log) ends the upstream call too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * `count` containers shaped like Docker's `/containers/json` entries:
 * spread over 50 stacks and 200 services, every tenth one exited.
 */
export function syntheticContainers(count: number) {
  const created = 1732579200;
  return Array.from({ length: count }, (_, i) => {
    const stack = `stack-${i % 50}`;
    const service = `${stack}_svc-${i % 200}`;
    const exited = i % 10 === 0;
    const id = createHash('sha256').update(`synthetic-${i}`).digest('hex');
    return {
      Id: id,
      Names: [`/${service}.${i}.${id.slice(0, 25)}`],
      Image: 'orch-test/busybox:latest',
      ImageID: `sha256:${createHash('sha256').update('image').digest('hex')}`,
      Command: 'sleep 3600',
      Created: created - i,
      Ports:
        i % 4 === 0
          ? [
              {
                PrivatePort: 8080,
                PublicPort: 30000 + (i % 1000),
                Type: 'tcp',
                IP: '0.0.0.0',
              },
            ]
          : [],
      Labels: {
        'com.docker.stack.namespace': stack,
        'com.docker.swarm.service.name': service,
        'com.docker.swarm.task.id': id.slice(0, 25),
        'com.docker.swarm.node.id': 'fakenode0000000000000000',
        'orch.job.id': `job-${i % 7}`,
      },
      State: exited ? 'exited' : 'running',
      Status: exited ? 'Exited (1) 5 minutes ago' : 'Up 2 hours (healthy)',
      HostConfig: { NetworkMode: 'default' },
      NetworkSettings: {
        Networks: {
          [`${stack}_default`]: {
            NetworkID: createHash('sha256').update(stack).digest('hex'),
            EndpointID: id,
            Gateway: '10.0.0.1',
            IPAddress: `10.0.${Math.floor(i / 250) % 256}.${(i % 250) + 2}`,
            IPPrefixLen: 24,
            MacAddress: '02:42:0a:00:00:02',
          },
        },
      },
      Mounts: [],
    };
  });
}
