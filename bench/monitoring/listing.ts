/*
 * Listing a large Portainer inventory through Orch (yarn bench monitoring,
 * yarn bench portainer).
 *
 *  GET /api/portainer/v1/containers?endpointId=… over HTTP, through the real
 *  router, ContainerService and PortainerClient, against the fake Portainer
 *  serving 5,000 synthetic containers (Docker's /containers/json shape) from
 *  its Docker proxy path. The orch plugin's connection lookup is replaced by
 *  a fixed source (it is cached after the first call in production anyway).
 *
 *  Anchor: Portainer's own UI fetches /api/endpoints/{id}/docker/containers/json
 *  on every screen and users with a few hundred containers report timeouts
 *  (portainer/portainer#3096: ~460 containers, 75 stacks). Measured beside it in
 *  the same run: the raw Portainer API call alone, i.e. the floor any client
 *  of Portainer pays.
 *
 */
import { FakePortainer } from '../../plugins/portainer-backend/src/__testUtils__/fakePortainer';
import { readPortainerConfig } from '../../plugins/portainer-backend/src/service/config';
import { ContainerService } from '../../plugins/portainer-backend/src/service/ContainerService';
import { EndpointRegistry } from '../../plugins/portainer-backend/src/service/EndpointRegistry';
import { EndpointService } from '../../plugins/portainer-backend/src/service/EndpointService';
import { LogService } from '../../plugins/portainer-backend/src/service/LogService';
import type { PortainerConnectionRef } from '../../plugins/portainer-backend/src/service/OrchConnections';
import { ConfigReader } from '@backstage/config';
import { servePortainerRouter } from './router';

const CONNECTION_ID = '11111111-2222-4333-8444-555555555555';
const logger: any = {
  info() {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
  debug() {},
  child() {
    return logger;
  },
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, value];
}

/**
 * Lists `count` synthetic containers through Orch's portainer routes against
 * the fake Portainer, `runs` times, beside the raw Portainer call.
 */
export async function listingBenchmarks(
  count = 5000,
  runs = 30,
): Promise<{ rows: string[][]; ok: boolean }> {
  const apiKey = 'ptr_bench_key';
  const fake = await FakePortainer.start({ apiKey });
  fake.setSyntheticContainers(1, count);

  const ref: PortainerConnectionRef = {
    id: CONNECTION_ID,
    name: 'bench-portainer',
    environment: 'prod',
    url: fake.url,
    endpointId: 1,
  };
  const config = readPortainerConfig(
    new ConfigReader({ portainer: { local: { enabled: false } } }),
  );
  const registry = new EndpointRegistry({
    config,
    connections: {
      list: async () => [ref],
      find: async (id: string) => (id === CONNECTION_ID ? ref : undefined),
      credentials: async () => ({ ...ref, apiKey }),
    },
  });
  const { base, server } = await servePortainerRouter({
    config,
    endpoints: new EndpointService({ registry, config }),
    containers: new ContainerService({ registry, config, logger }),
    logs: new LogService({ registry, config }),
  });

  const orchList = async (query = '') => {
    const r = await fetch(
      `${base}/api/portainer/v1/containers?endpointId=${CONNECTION_ID}${query}`,
    );
    if (r.status !== 200)
      throw new Error(`Orch answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as { items: unknown[]; stale: boolean };
  };
  const rawList = async () => {
    const r = await fetch(
      `${fake.url}/api/endpoints/1/docker/containers/json?all=1`,
      {
        headers: { 'X-API-Key': apiKey },
      },
    );
    return (await r.json()) as unknown[];
  };

  // Warm up both paths (JIT, keep-alive sockets).
  for (let i = 0; i < 3; i++) {
    await orchList();
    await rawList();
  }
  const orch: number[] = [];
  const raw: number[] = [];
  const filtered: number[] = [];
  let listed = 0;
  for (let i = 0; i < runs; i++) {
    const [ms, body] = await time(() => orchList());
    listed = body.items.length;
    if (body.stale) throw new Error('stale listing during the benchmark');
    orch.push(ms);
    raw.push((await time(rawList))[0]);
    filtered.push(
      (await time(() => orchList('&stack=stack-7&status=running')))[0],
    );
  }
  if (listed !== count)
    throw new Error(`listed ${listed} of ${count} containers`);

  const p50 = percentile(orch, 50);
  const p99 = percentile(orch, 99);
  const rawP50 = percentile(raw, 50);
  const rows = [
    [
      `List ${count.toLocaleString('en')} containers, p50 (ms)`,
      `raw Portainer call ${rawP50.toFixed(
        0,
      )} ms; Portainer UI times out at ~460 (portainer#3096)`,
      p50.toFixed(0),
      `${(p50 / rawP50).toFixed(2)}× raw`,
      '< 1,000 ms',
    ],
    [
      `List ${count.toLocaleString('en')} containers, p99 (ms)`,
      `raw p99 ${percentile(raw, 99).toFixed(0)} ms`,
      p99.toFixed(0),
      '',
      '< 1,000 ms',
    ],
    [
      'Filtered to 100 (stack + state), each inspected, p50 (ms)',
      '—',
      percentile(filtered, 50).toFixed(0),
      '',
      '',
    ],
  ];
  server.close();
  registry.close();
  await fake.stop();
  return { rows, ok: percentile(orch, 99) < 1000 };
}
