import type { Config } from '@backstage/config';

/** The portainer plugin's settings, defaults filled in (see config.d.ts). */
export type PortainerConfig = {
  local: { enabled: boolean; socketPath: string };
  timeouts: { requestMs: number; probeMs: number };
  inventory: { inspectLimit: number; maxStaleSeconds: number };
  connections: { cacheSeconds: number };
  logs: { defaultTail: number; maxTail: number; maxBytes: number };
};

export function readPortainerConfig(config: Config): PortainerConfig {
  const c = config.getOptionalConfig('portainer');
  const num = (key: string, def: number) => c?.getOptionalNumber(key) ?? def;
  return {
    local: {
      enabled: c?.getOptionalBoolean('local.enabled') ?? true,
      socketPath:
        c?.getOptionalString('local.socketPath') ?? '/var/run/docker.sock',
    },
    timeouts: {
      requestMs: num('timeouts.requestMs', 5000),
      probeMs: num('timeouts.probeMs', 2000),
    },
    inventory: {
      inspectLimit: num('inventory.inspectLimit', 100),
      maxStaleSeconds: num('inventory.maxStaleSeconds', 86400),
    },
    connections: { cacheSeconds: num('connections.cacheSeconds', 30) },
    logs: {
      defaultTail: num('logs.defaultTail', 500),
      maxTail: num('logs.maxTail', 10000),
      maxBytes: num('logs.maxBytes', 16 * 1024 * 1024),
    },
  };
}
