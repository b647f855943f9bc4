import type {
  Endpoint,
  EndpointList,
  EndpointStatus,
  SwarmRole,
} from '@internal/backstage-plugin-portainer-common';
import type { PortainerConfig } from './config';
import { deadline, DockerApiError, type RawInfo } from './docker/DockerApi';
import {
  endpointError,
  type EndpointRef,
  type EndpointRegistry,
} from './EndpointRegistry';

/**
 * What script/server says when the local socket has no engine behind it,
 * with the command to start one; the endpoint list says the same.
 */
export function noDockerEngineMessage(socketPath: string): string {
  return `No Docker engine answers at ${socketPath}: start one with 'dockerd &' (or 'sudo systemctl start docker')`;
}

function swarmRole(info: RawInfo): SwarmRole {
  if (info.Swarm?.LocalNodeState !== 'active') return 'none';
  return info.Swarm.ControlAvailable ? 'manager' : 'worker';
}

/**
 * The endpoints with their status: every endpoint is probed in parallel,
 * each within the probe timeout, so the list answers in bounded time even
 * when some are down.
 */
export class EndpointService {
  constructor(
    private readonly deps: {
      registry: EndpointRegistry;
      config: PortainerConfig;
    },
  ) {}

  async list(): Promise<EndpointList> {
    const { registry } = this.deps;
    const refs: EndpointRef[] = [];
    const errors: EndpointList['errors'] = [];
    const local = registry.localRef();
    if (local) {
      refs.push(local);
    } else if (this.deps.config.local.enabled) {
      // No socket at all: the local endpoint is not listed, but why is.
      errors.push({
        source: 'local',
        message: noDockerEngineMessage(this.deps.config.local.socketPath),
      });
    }
    try {
      refs.push(...(await registry.portainerRefs()));
    } catch (e) {
      errors.push({
        source: 'orch',
        message: `Portainer connections could not be listed: ${
          (e as Error).message
        }`,
      });
    }
    const items = await Promise.all(refs.map(ref => this.probe(ref)));
    return errors.length ? { items, errors } : { items };
  }

  private async probe(ref: EndpointRef): Promise<Endpoint> {
    const { probeMs } = this.deps.config.timeouts;
    const started = Date.now();
    const status: EndpointStatus = {
      reachable: false,
      checkedAt: new Date(started).toISOString(),
    };
    try {
      const endpoint = await this.deps.registry.resolve(ref.id);
      const signal = deadline(probeMs);
      const [version, info, portainer] = await Promise.all([
        endpoint.docker.version(signal),
        endpoint.docker.info(signal),
        endpoint.portainer?.status(signal),
      ]);
      status.reachable = true;
      if (version.Version) status.version = version.Version;
      if (version.ApiVersion) status.apiVersion = version.ApiVersion;
      status.swarmRole = swarmRole(info);
      if (portainer?.Version) status.portainerVersion = portainer.Version;
      const id = endpoint.portainer
        ? await endpoint.portainer.resolveEnvironment(signal)
        : undefined;
      status.latencyMs = Date.now() - started;
      return {
        ...ref,
        ...(id !== undefined ? { portainerEndpointId: id } : {}),
        status,
      };
    } catch (e) {
      status.latencyMs = Date.now() - started;
      // A socket nobody listens on (the daemon stopped, the file left).
      const noEngine =
        ref.kind === 'local' &&
        e instanceof DockerApiError &&
        e.kind === 'unreachable';
      if (noEngine) status.noEngine = true;
      return {
        ...ref,
        status,
        error: noEngine
          ? noDockerEngineMessage(this.deps.config.local.socketPath)
          : endpointError(ref, e, probeMs).message,
      };
    }
  }
}
