import http from 'http';
import https from 'https';
import type { Readable } from 'stream';
import {
  connectDeadline,
  DockerApiError,
  errorMessage,
  type DockerApi,
  type LogQuery,
  type RawContainer,
  type RawContainerInspect,
  type RawInfo,
  type RawService,
  type RawVersion,
} from './DockerApi';
import { openRequest, requestBuffer } from './httpRequest';

/** Portainer's environment (endpoint) as `/api/endpoints` lists it. */
export type PortainerEnvironment = {
  Id: number;
  Name: string;
  /** 1 Docker, 2 agent on Docker, 3 Azure, 4 Edge agent, 5+ Kubernetes. */
  Type: number;
  URL?: string;
  /** 1 up, 2 down. */
  Status?: number;
};

/** Portainer's stack as `/api/stacks` lists it. */
export type PortainerStack = {
  Id: number;
  Name: string;
  /** 1 Swarm, 2 Compose, 3 Kubernetes. */
  Type: number;
  EndpointId: number;
  /** 1 active, 2 inactive. */
  Status?: number;
  CreationDate?: number;
  UpdateDate?: number;
};

// Environment types whose API is Docker's: Docker, agent, Edge agent.
const DOCKER_ENVIRONMENT_TYPES = [1, 2, 4];

/** Largest JSON answer read from Portainer. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

function logsPath(id: string, query: LogQuery, follow: boolean): string {
  const params = new URLSearchParams({
    stdout: '1',
    stderr: '1',
    follow: follow ? '1' : '0',
    timestamps: query.timestamps ? '1' : '0',
  });
  if (query.tail !== undefined) params.set('tail', String(query.tail));
  if (query.since !== undefined) params.set('since', query.since);
  return `containers/${encodeURIComponent(id)}/logs?${params}`;
}

/** Docker's API through Portainer's proxy. */
class PortainerDockerApi implements DockerApi {
  constructor(private readonly client: PortainerClient) {}

  async version(signal: AbortSignal): Promise<RawVersion> {
    return this.get('version', signal, 'Docker version');
  }

  async info(signal: AbortSignal): Promise<RawInfo> {
    return this.get('info', signal, 'Docker info');
  }

  async listContainers(signal: AbortSignal): Promise<RawContainer[]> {
    return this.get('containers/json?all=1', signal, 'container list');
  }

  async inspectContainer(
    id: string,
    signal: AbortSignal,
  ): Promise<RawContainerInspect> {
    return this.get(
      `containers/${encodeURIComponent(id)}/json`,
      signal,
      'container inspect',
    );
  }

  async listServices(signal: AbortSignal): Promise<RawService[]> {
    return this.get('services?status=true', signal, 'service list');
  }

  async containerLogs(
    id: string,
    query: LogQuery,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<{ data: Buffer; truncated: boolean }> {
    const url = await this.client.dockerUrl(logsPath(id, query, false), signal);
    const res = await requestBuffer(
      url,
      {
        headers: this.client.headers,
        signal,
        agent: this.client.httpAgent,
        maxBytes,
      },
      'container logs',
    );
    if (res.status !== 200) {
      throw new DockerApiError(
        `container logs answered ${res.status}: ${errorMessage(res.body)}`,
        'status',
        res.status,
      );
    }
    return { data: res.body, truncated: res.truncated };
  }

  async followContainerLogs(
    id: string,
    query: LogQuery,
    lifetime: AbortSignal,
    connectTimeoutMs: number,
  ): Promise<Readable> {
    const { signal, connected } = connectDeadline(lifetime, connectTimeoutMs);
    const url = await this.client.dockerUrl(logsPath(id, query, true), signal);
    const res = await openRequest(
      url,
      { headers: this.client.headers, signal, agent: this.client.httpAgent },
      'container logs',
    );
    connected();
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw new DockerApiError(
        `container logs answered ${res.statusCode}: ${errorMessage(
          Buffer.concat(chunks),
        )}`,
        'status',
        res.statusCode,
      );
    }
    return res;
  }

  private async get<T>(
    path: string,
    signal: AbortSignal,
    what: string,
  ): Promise<T> {
    return this.client.jsonAt<T>(
      await this.client.dockerUrl(path, signal),
      signal,
      what,
    );
  }
}

/**
 * Portainer's HTTP API with an API key (`X-API-Key`), and the Docker API of
 * one of its environments through Portainer's proxy
 * (`/api/endpoints/{id}/docker/...`).
 */
export class PortainerClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private environmentId?: Promise<number>;

  constructor(
    url: string,
    private readonly apiKey: string,
    /** Portainer's environment id; the first Docker environment when unset. */
    environmentId?: number,
  ) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    // Keep-alive: listings come in bursts (endpoints, then containers).
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: 16 })
        : new http.Agent({ keepAlive: true, maxSockets: 16 });
    if (environmentId !== undefined) {
      this.environmentId = Promise.resolve(environmentId);
    }
  }

  /** Frees pooled sockets. */
  close() {
    this.agent.destroy();
  }

  /** Portainer's public status: its version. */
  async status(signal: AbortSignal): Promise<{ Version?: string }> {
    return this.json('api/system/status', signal, 'Portainer status');
  }

  environments(signal: AbortSignal): Promise<PortainerEnvironment[]> {
    return this.json('api/endpoints', signal, 'Portainer environments');
  }

  /** Portainer's stacks of this client's environment. */
  async stacks(signal: AbortSignal): Promise<PortainerStack[]> {
    const id = await this.resolveEnvironment(signal);
    const filters = encodeURIComponent(JSON.stringify({ EndpointID: id }));
    const stacks = await this.json<PortainerStack[]>(
      `api/stacks?filters=${filters}`,
      signal,
      'Portainer stacks',
    );
    // Older Portainers ignore the filter.
    return (stacks ?? []).filter(s => s.EndpointId === id);
  }

  /**
   * The environment this client proxies to: the configured one, else the
   * Docker environment with the lowest id. Resolved once.
   */
  resolveEnvironment(signal: AbortSignal): Promise<number> {
    if (!this.environmentId) {
      const pending = this.environments(signal).then(list => {
        const docker = (list ?? [])
          .filter(e => DOCKER_ENVIRONMENT_TYPES.includes(e.Type))
          .sort((a, b) => a.Id - b.Id);
        if (!docker.length) {
          throw new DockerApiError(
            'Portainer has no Docker environment',
            'status',
            404,
          );
        }
        return docker[0].Id;
      });
      this.environmentId = pending;
      // A failed discovery is retried by the next call.
      pending.catch(() => {
        if (this.environmentId === pending) this.environmentId = undefined;
      });
    }
    return this.environmentId;
  }

  /** The Docker API of this client's environment. */
  docker(): DockerApi {
    return new PortainerDockerApi(this);
  }

  /** @internal */
  async dockerUrl(path: string, signal: AbortSignal): Promise<URL> {
    const id = await this.resolveEnvironment(signal);
    return new URL(`api/endpoints/${id}/docker/${path}`, this.base);
  }

  /** @internal */
  get headers() {
    return { 'X-API-Key': this.apiKey, Accept: 'application/json' };
  }

  /** @internal */
  get httpAgent() {
    return this.agent;
  }

  /** @internal A GET answered with JSON; errors keep the status. */
  async jsonAt<T>(url: URL, signal: AbortSignal, what: string): Promise<T> {
    const res = await requestBuffer(
      url,
      {
        headers: this.headers,
        signal,
        agent: this.agent,
        maxBytes: MAX_JSON_BYTES,
      },
      what,
    );
    if (res.status < 200 || res.status >= 300) {
      throw new DockerApiError(
        `${what} answered ${res.status}: ${errorMessage(res.body)}`,
        'status',
        res.status,
      );
    }
    if (res.truncated) {
      throw new DockerApiError(
        `${what} answered more than ${MAX_JSON_BYTES} bytes`,
        'status',
        502,
      );
    }
    try {
      return JSON.parse(res.body.toString('utf8')) as T;
    } catch {
      throw new DockerApiError(
        `${what} answered something that is not JSON`,
        'status',
        502,
      );
    }
  }

  private json<T>(path: string, signal: AbortSignal, what: string): Promise<T> {
    return this.jsonAt<T>(new URL(path, this.base), signal, what);
  }
}
