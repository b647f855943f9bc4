import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { NotFoundError, ResponseError } from '@backstage/errors';

/** A Portainer connection as the orch plugin lists it (masked). */
export type PortainerConnectionRef = {
  id: string;
  name: string;
  environment: string;
  url: string;
  /** Portainer's environment id, when the connection names one. */
  endpointId?: number;
};

/** A Portainer connection with its API key, in memory only. */
export type PortainerCredentials = PortainerConnectionRef & { apiKey: string };

/**
 * Where Portainer connections come from: the orch plugin, which owns them
 * (encrypted at rest).
 */
export interface ConnectionSource {
  /** The Portainer connections. */
  list(): Promise<PortainerConnectionRef[]>;
  /** One connection with its API key; NotFoundError when it is gone. */
  credentials(id: string): Promise<PortainerCredentials>;
}

/**
 * A `docker` connection with its TLS material, in memory only: a Docker
 * engine (Swarm manager) whose events Orch watches.
 */
export type DockerConnection = {
  id: string;
  name: string;
  environment: string;
  /** `tcp://host:2376` or `unix:///path/docker.sock`. */
  host: string;
  ca?: string;
  cert?: string;
  key?: string;
};

type Cached<T> = { value: T; at: number };

/**
 * Reads Portainer connections from the orch plugin with this plugin's own
 * service token: the list through `GET /v1/connections?type=portainer`, the
 * API key through the service-only `POST /v1/connections/:id/credentials`
 * (audited there). Both are kept for `cacheSeconds`; when the orch plugin
 * cannot be asked, the last list is used, however old.
 */
export class OrchConnections implements ConnectionSource {
  private listCache?: Cached<PortainerConnectionRef[]>;
  private pendingList?: Promise<PortainerConnectionRef[]>;
  private readonly credentialCache = new Map<
    string,
    Cached<PortainerCredentials>
  >();
  private readonly dockerCache = new Map<
    string,
    { version: string; value: DockerConnection }
  >();

  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      cacheSeconds: number;
      timeoutMs: number;
    },
  ) {}

  async list(
    options: { fresh?: boolean } = {},
  ): Promise<PortainerConnectionRef[]> {
    const maxAge = options.fresh ? 1000 : this.deps.cacheSeconds * 1000;
    if (this.listCache && Date.now() - this.listCache.at < maxAge) {
      return this.listCache.value;
    }
    // One request at a time, shared by concurrent callers.
    this.pendingList ??= this.fetchList().finally(() => {
      this.pendingList = undefined;
    });
    try {
      return await this.pendingList;
    } catch (e) {
      if (this.listCache) {
        this.deps.logger.warn(
          `Could not list Portainer connections from the orch plugin, using the list of ${new Date(
            this.listCache.at,
          ).toISOString()}: ${(e as Error).message}`,
        );
        return this.listCache.value;
      }
      throw e;
    }
  }

  /** Whether a connection id is a known Portainer connection (asks again once when not). */
  async find(id: string): Promise<PortainerConnectionRef | undefined> {
    const known = (await this.list()).find(c => c.id === id);
    return known ?? (await this.list({ fresh: true })).find(c => c.id === id);
  }

  async credentials(id: string): Promise<PortainerCredentials> {
    const cached = this.credentialCache.get(id);
    if (cached && Date.now() - cached.at < this.deps.cacheSeconds * 1000) {
      return cached.value;
    }
    const body = await this.request(
      `/v1/connections/${encodeURIComponent(id)}/credentials`,
      'POST',
    );
    if (body.type !== 'portainer') {
      throw new NotFoundError(`Connection ${id} is not a Portainer connection`);
    }
    const value: PortainerCredentials = {
      ...toRef(body),
      apiKey: String(body.secrets?.api_key ?? ''),
    };
    this.credentialCache.set(id, { value, at: Date.now() });
    return value;
  }

  /**
   * The `docker` connections with their TLS material. The list is read
   * fresh (the watchers call this on their housekeeping schedule, not per
   * request); a connection's credentials are read again only when it
   * changed (`updatedAt`), so that the audited credential reads happen once
   * per change, not once per schedule.
   */
  async dockerConnections(): Promise<DockerConnection[]> {
    const body = await this.request('/v1/connections?type=docker', 'GET');
    const out: DockerConnection[] = [];
    const seen = new Set<string>();
    for (const c of (body.items as any[]).filter(i => i.type === 'docker')) {
      seen.add(c.id);
      const version = String(c.updatedAt ?? '');
      const cached = this.dockerCache.get(c.id);
      if (cached && cached.version === version) {
        out.push({ ...cached.value, name: c.name, environment: c.environment });
        continue;
      }
      const full = await this.request(
        `/v1/connections/${encodeURIComponent(c.id)}/credentials`,
        'POST',
      );
      const secrets = full.secrets ?? {};
      const value: DockerConnection = {
        id: c.id,
        name: c.name,
        environment: c.environment,
        host: String(full.config?.host ?? ''),
        ...(secrets.ca_cert ? { ca: String(secrets.ca_cert) } : {}),
        ...(secrets.client_cert ? { cert: String(secrets.client_cert) } : {}),
        ...(secrets.client_key ? { key: String(secrets.client_key) } : {}),
      };
      this.dockerCache.set(c.id, { version, value });
      out.push(value);
    }
    for (const id of this.dockerCache.keys()) {
      if (!seen.has(id)) this.dockerCache.delete(id);
    }
    return out;
  }

  private async fetchList(): Promise<PortainerConnectionRef[]> {
    const body = await this.request('/v1/connections?type=portainer', 'GET');
    const list = (body.items as any[])
      .filter(c => c.type === 'portainer')
      .map(toRef);
    this.listCache = { value: list, at: Date.now() };
    // Credentials of deleted connections go with them.
    for (const id of this.credentialCache.keys()) {
      if (!list.some(c => c.id === id)) this.credentialCache.delete(id);
    }
    return list;
  }

  private async request(path: string, method: 'GET' | 'POST'): Promise<any> {
    const { discovery, auth } = this.deps;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'orch',
    });
    const response = await fetch(
      `${await discovery.getBaseUrl('orch')}${path}`,
      {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(method === 'POST' ? { 'Content-Type': 'application/json' } : {}),
        },
        body: method === 'POST' ? '{}' : undefined,
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response.json();
  }
}

function toRef(c: any): PortainerConnectionRef {
  const endpointId = c.config?.endpoint_id;
  return {
    id: c.id,
    name: c.name,
    environment: c.environment,
    url: String(c.config?.url ?? ''),
    ...(typeof endpointId === 'number' ? { endpointId } : {}),
  };
}
