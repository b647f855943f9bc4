import { screen, within } from '@testing-library/react';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import type { Job } from '@internal/backstage-plugin-orch-common';
import { orchApiRef } from '../../api/OrchClient';
import { PortainerClient, portainerApiRef } from '../../api/PortainerClient';
import { meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import { DashboardPage } from './DashboardPage';
import { isContainerInError } from './useContainerHealth';

const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

function job(overrides: Partial<Job>): Job {
  return {
    id: `job-${Math.random().toString(36).slice(2)}`,
    runbookName: 'hello',
    runbookVersion: '1.0.0',
    status: 'SUCCESS',
    environment: 'stage',
    inputs: {},
    createdBy: 'user:default/ada',
    createdAt: iso(60_000),
    attempt: 1,
    connections: [],
    cancelRequested: false,
    ...overrides,
  };
}

function portainer(answer: (url: string) => Response) {
  return {
    discovery: {
      getBaseUrl: async (id: string) => `http://orch.test/api/${id}`,
    },
    fetch: { fetch: async (url: RequestInfo | URL) => answer(String(url)) },
  };
}

async function render(options: {
  jobs: Record<string, Job[]>;
  roles?: Parameters<typeof meWith>[0];
  monitoring?: (url: string) => Response;
  failJobs?: boolean;
}) {
  const { api, calls } = mockOrchApi({
    me: meWith(options.roles ?? ['operator']),
    routes: {
      'GET /v1/jobs': async () => {
        if (options.failJobs) {
          throw new Error('Jobs are unavailable');
        }
        return { items: [] };
      },
    },
  });
  const request = api.request;
  api.request = (async (method: string, path: string, body?: unknown) => {
    if (path.startsWith('/v1/jobs') && !options.failJobs) {
      calls.push({ method, path, body });
      const status =
        new URLSearchParams(path.split('?')[1]).get('status') ?? '';
      return { items: options.jobs[status] ?? [] };
    }
    return request(method, path, body);
  }) as typeof api.request;
  const monitoring = portainer(
    options.monitoring ?? (() => new Response('', { status: 404 })),
  );
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, api],
        [discoveryApiRef, monitoring.discovery],
        [fetchApiRef, monitoring.fetch],
        [
          portainerApiRef,
          new PortainerClient({
            discoveryApi: monitoring.discovery,
            fetchApi: monitoring.fetch,
          }),
        ],
      ]}
    >
      <DashboardPage />
    </TestApiProvider>,
  );
  return { calls };
}

afterEach(() => localStorage.clear());

describe('DashboardPage', () => {
  it('shows running jobs, failures of the last 24 h and the recent jobs', async () => {
    const running = job({ status: 'RUNNING', startedAt: iso(5_000) });
    const recentFailure = job({
      status: 'ERROR',
      runbookName: 'swarm_deploy',
      error: 'task "Fail on purpose" failed',
      finishedAt: iso(3_600_000),
    });
    const oldFailure = job({
      status: 'ERROR',
      finishedAt: iso(30 * 3_600_000),
    });
    await render({
      jobs: {
        'RUNNING,PENDING': [running],
        ERROR: [recentFailure, oldFailure],
        '': [running, recentFailure],
      },
    });

    const runningCard = await screen.findByTestId('dashboard-running');
    expect(
      await within(runningCard).findByText('job running'),
    ).toBeInTheDocument();
    const failures = screen.getByTestId('dashboard-failures');
    expect(within(failures).getByText('failed job')).toBeInTheDocument();
    expect(within(failures).getByText(/Fail on purpose/)).toBeInTheDocument();
    const recent = screen.getByTestId('dashboard-recent');
    expect(within(recent).getAllByRole('row')).toHaveLength(3);
    expect(
      within(recent).getByRole('link', { name: 'swarm_deploy' }),
    ).toHaveAttribute('href', `/jobs/${recentFailure.id}`);
  });

  it('says so when nothing runs, nothing failed and no job exists', async () => {
    await render({ jobs: {} });
    expect(await screen.findByText('No job is running.')).toBeInTheDocument();
    expect(
      screen.getByText('No failed job in the last 24 hours.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No job yet. Run one from Runbooks.'),
    ).toBeInTheDocument();
  });

  it('says "not configured" when the monitoring plugin is not installed', async () => {
    await render({ jobs: {} });
    expect(
      await screen.findByText('Monitoring is not configured'),
    ).toBeInTheDocument();
  });

  it('counts containers in error and open incidents when the monitoring plugin answers', async () => {
    const urls: string[] = [];
    await render({
      jobs: {},
      monitoring: url => {
        urls.push(url);
        let body: unknown;
        if (url.includes('/v1/endpoints')) {
          body = {
            items: [
              { id: 'local', name: 'local', status: { reachable: true } },
              {
                id: 'c0ffee00-0000-4000-8000-000000000001',
                name: 'edge',
                status: { reachable: false },
              },
            ],
          };
        } else if (url.includes('/v1/incidents')) {
          body = {
            items: [
              {
                id: 'i-1',
                endpointId: 'local',
                subjectKind: 'container',
                subject: 'db',
                reason: 'die',
                status: 'open',
                count: 2,
                openedAt: iso(60_000),
                lastSeenAt: iso(1_000),
              },
            ],
          };
        } else {
          body = {
            endpointId: 'local',
            stale: false,
            items: [
              {
                id: 'a',
                name: 'web',
                state: 'running',
                status: 'Up',
                health: 'healthy',
              },
              {
                id: 'b',
                name: 'db',
                state: 'restarting',
                status: 'Restarting (1)',
                health: 'none',
              },
              {
                id: 'c',
                name: 'job',
                state: 'exited',
                status: 'Exited (0)',
                health: 'none',
                exitCode: 0,
              },
            ],
          };
        }
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    });
    const card = await screen.findByTestId('dashboard-containers');
    expect(
      await within(card).findByText('container in error across 2 endpoints'),
    ).toBeInTheDocument();
    expect(
      within(card).getByRole('link', { name: 'db · local' }),
    ).toHaveAttribute('href', '/containers?endpoint=local&container=b');
    expect(
      within(card).getByRole('link', { name: '1 open incident' }),
    ).toHaveAttribute('href', '/incidents');
    // The unreachable endpoint is named, and never asked for its containers.
    expect(
      within(card).getByText(/Not reachable, not counted/),
    ).toHaveTextContent('edge');
    expect(urls.some(u => u.includes('endpointId=c0ffee00'))).toBe(false);
    expect(urls.find(u => u.includes('/v1/incidents'))).toContain(
      'status=open',
    );
  });

  it('says so when no Docker endpoint is configured', async () => {
    await render({
      jobs: {},
      monitoring: () =>
        new Response(JSON.stringify({ items: [] }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    });
    expect(
      await screen.findByText(/No Docker endpoint is configured/),
    ).toBeInTheDocument();
  });

  it("says so when the user's roles do not include reading containers", async () => {
    await render({
      jobs: {},
      monitoring: () => new Response('{}', { status: 403 }),
    });
    expect(
      await screen.findByText('Your roles do not include reading containers.'),
    ).toBeInTheDocument();
  });

  it('shows the error and a retry when jobs cannot be read', async () => {
    await render({ jobs: {}, failJobs: true });
    const card = await screen.findByTestId('dashboard-running');
    expect(
      await within(card).findByText('Jobs are unavailable'),
    ).toBeInTheDocument();
    expect(
      within(card).getByRole('button', { name: 'Retry' }),
    ).toBeInTheDocument();
  });

  it('asks for the selected environment only', async () => {
    localStorage.setItem('orch.environment', 'prod');
    const { calls } = await render({ jobs: {} });
    await screen.findByText('No job is running.');
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.path).toContain('environment=prod');
    }
  });
});

describe('isContainerInError', () => {
  it.each([
    [{ state: 'running', health: 'healthy' }, false],
    [{ state: 'running', health: 'unhealthy' }, true],
    [{ state: 'restarting', health: 'none' }, true],
    [{ state: 'dead', health: 'none' }, true],
    [{ state: 'exited', health: 'none', exitCode: 0 }, false],
    [{ state: 'exited', health: 'none', exitCode: 3 }, true],
  ])('%j → %s', (container, expected) => {
    expect(isContainerInError(container)).toBe(expected);
  });
});
