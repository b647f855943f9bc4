import { NotFoundError } from '@backstage/errors';
import type { EndpointKind } from '@internal/backstage-plugin-portainer-common';
import { existsSync } from 'fs';
import type { PortainerConfig } from './config';
import { deadline, type DockerApi, DockerApiError } from './docker/DockerApi';
import { LocalDockerApi } from './docker/LocalDockerApi';
import { PortainerClient } from './docker/PortainerClient';
import { EndpointUnavailableError } from './errors';
import type {
  ConnectionSource,
  PortainerConnectionRef,
} from './OrchConnections';

/** The id of the Docker socket's endpoint. */
export const LOCAL_ENDPOINT_ID = 'local';

/** What identifies an endpoint, before anyone talks to it. */
export type EndpointRef = {
  id: string;
  name: string;
  kind: EndpointKind;
  environment?: string;
  /** Portainer's URL, without any credentials in it. */
  url?: string;
  portainerEndpointId?: number;
};

/** An endpoint ready to be called. */
export type ResolvedEndpoint = {
  ref: EndpointRef;
  docker: DockerApi;
  /** Portainer's own API, for `portainer` endpoints. */
  portainer?: PortainerClient;
};

/**
 * The endpoints Orch knows: `local` (the Docker socket, when present and
 * enabled) and one per Portainer connection of the orch plugin. Hands out a
 * Docker API for each, and turns its failures into HTTP errors that name it.
 */
export class EndpointRegistry {
  private readonly local?: LocalDockerApi;
  private readonly clients = new Map<
    string,
    { key: string; client: PortainerClient }
  >();

  constructor(
    private readonly deps: {
      config: PortainerConfig;
      connections: ConnectionSource & {
        find(id: string): Promise<PortainerConnectionRef | undefined>;
      };
    },
  ) {
    if (deps.config.local.enabled) {
      this.local = new LocalDockerApi(deps.config.local.socketPath);
    }
  }

  /** The local endpoint, when its socket exists. */
  localRef(): EndpointRef | undefined {
    if (!this.local || !existsSync(this.local.socketPath)) return undefined;
    return { id: LOCAL_ENDPOINT_ID, name: LOCAL_ENDPOINT_ID, kind: 'local' };
  }

  /** Portainer endpoints, one per connection. Throws when they cannot be listed. */
  async portainerRefs(): Promise<EndpointRef[]> {
    return (await this.deps.connections.list()).map(portainerRef);
  }

  /** An endpoint by id; NotFoundError for an unknown one. */
  async resolve(id: string): Promise<ResolvedEndpoint> {
    if (id === LOCAL_ENDPOINT_ID) {
      const ref = this.localRef();
      if (!ref || !this.local) {
        throw new NotFoundError(
          this.local
            ? `No endpoint local: no Docker socket at ${this.local.socketPath}`
            : 'No endpoint local: the local Docker endpoint is disabled',
        );
      }
      return { ref, docker: this.local };
    }
    let connection: PortainerConnectionRef | undefined;
    try {
      connection = await this.deps.connections.find(id);
    } catch (e) {
      throw new EndpointUnavailableError(
        `Cannot tell whether endpoint ${id} exists: the Portainer connections could not be read from the orch plugin (${
          (e as Error).message
        })`,
        { id, name: id },
        503,
      );
    }
    if (!connection) throw new NotFoundError(`No endpoint ${id}`);
    const ref = portainerRef(connection);
    let credentials;
    try {
      credentials = await this.deps.connections.credentials(id);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) {
        throw new NotFoundError(`No endpoint ${id}`);
      }
      throw new EndpointUnavailableError(
        `The API key of Portainer endpoint "${
          ref.name
        }" could not be read from the orch plugin: ${(e as Error).message}`,
        ref,
        503,
      );
    }
    const key = `${credentials.url}\n${credentials.apiKey}\n${
      credentials.endpointId ?? ''
    }`;
    let entry = this.clients.get(id);
    if (!entry || entry.key !== key) {
      entry?.client.close();
      entry = {
        key,
        client: new PortainerClient(
          credentials.url,
          credentials.apiKey,
          credentials.endpointId,
        ),
      };
      this.clients.set(id, entry);
    }
    return { ref, docker: entry.client.docker(), portainer: entry.client };
  }

  /** Frees pooled connections. */
  close() {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}

function portainerRef(c: PortainerConnectionRef): EndpointRef {
  return {
    id: c.id,
    name: c.name,
    kind: 'portainer',
    environment: c.environment,
    url: withoutCredentials(c.url),
    ...(c.endpointId !== undefined
      ? { portainerEndpointId: c.endpointId }
      : {}),
  };
}

function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * The HTTP error for a failed call to an endpoint, naming it: 503 when it
 * cannot be reached or is too slow, 502 when it (or Portainer in front of
 * it) answered with an error. A 404 is left to the caller, who knows what
 * was missing.
 */
export function endpointError(
  ref: EndpointRef,
  error: unknown,
  timeoutMs: number,
): Error {
  if (!(error instanceof DockerApiError)) return error as Error;
  const label =
    ref.kind === 'portainer'
      ? `Portainer endpoint "${ref.name}" (${ref.url})`
      : `Endpoint "${ref.name}"`;
  switch (error.kind) {
    case 'timeout':
      return new EndpointUnavailableError(
        `${label} did not answer within ${timeoutMs} ms (${error.message})`,
        ref,
        503,
      );
    case 'unreachable':
      return new EndpointUnavailableError(
        `${label} is unreachable: ${error.message}`,
        ref,
        503,
      );
    case 'aborted':
      return error;
    default:
      if (error.status === 401 || error.status === 403) {
        return new EndpointUnavailableError(
          `${label} refused Orch's API key (${error.status}): check the connection's api_key`,
          ref,
          502,
        );
      }
      return new EndpointUnavailableError(
        `${label} answered with an error: ${error.message}`,
        ref,
        502,
      );
  }
}

/**
 * Runs `run` against an endpoint within `timeoutMs` (and `parent`, if
 * given), its failures turned into errors that name the endpoint.
 */
export async function callEndpoint<T>(
  ref: EndpointRef,
  timeoutMs: number,
  run: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  try {
    return await run(deadline(timeoutMs, parent));
  } catch (e) {
    throw endpointError(ref, e, timeoutMs);
  }
}
