import type {
  ContainerSummary,
  Endpoint,
  Incident,
} from '@internal/backstage-plugin-portainer-common';
import type { PortainerApi } from '../api/PortainerClient';
import { apiError } from './orchApiMock';

/** A PortainerApi whose every call fails with a 404 unless a test sets it. */
export function mockPortainerApi(
  overrides: Partial<PortainerApi> = {},
): jest.Mocked<PortainerApi> {
  const missing = (name: string) =>
    jest.fn(async () => {
      throw await apiError(404, `no mock for ${name}`);
    });
  return {
    listEndpoints: missing('listEndpoints'),
    listContainers: missing('listContainers'),
    getContainer: missing('getContainer'),
    getLogs: missing('getLogs'),
    followLogs: missing('followLogs'),
    listStacks: jest.fn(async (endpointId: string) => ({
      endpointId,
      items: [],
      swarm: false,
    })),
    listIncidents: missing('listIncidents'),
    getIncident: missing('getIncident'),
    acknowledgeIncident: missing('acknowledgeIncident'),
    resolveIncident: missing('resolveIncident'),
    ...overrides,
  } as unknown as jest.Mocked<PortainerApi>;
}

/** The local Docker socket, reachable. */
export const localEndpoint: Endpoint = {
  id: 'local',
  name: 'local',
  kind: 'local',
  status: {
    reachable: true,
    version: '27.3.1',
    apiVersion: '1.47',
    swarmRole: 'manager',
    checkedAt: new Date(0).toISOString(),
  },
};

export function container(
  overrides: Partial<ContainerSummary> = {},
): ContainerSummary {
  return {
    id: 'c1',
    name: 'web',
    image: 'nginx:1.27',
    state: 'running',
    status: 'Up 5 minutes',
    health: 'healthy',
    restartCount: 0,
    labels: {},
    ports: [],
    created: new Date(Date.now() - 3_600_000).toISOString(),
    started: new Date(Date.now() - 300_000).toISOString(),
    ...overrides,
  };
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    endpointId: 'local',
    subjectKind: 'container',
    subject: 'api',
    reason: 'die',
    status: 'open',
    count: 5,
    containerId: 'c9',
    containerName: 'api',
    stack: 'shop',
    exitCode: 3,
    openedAt: new Date(Date.now() - 600_000).toISOString(),
    lastSeenAt: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}
