import { screen, within } from '@testing-library/react';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import type { Job } from '@internal/backstage-plugin-orch-common';
import { orchApiRef } from '../../api/OrchClient';
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

  it('counts containers in error when the monitoring plugin answers', async () => {
    await render({
      jobs: {},
      monitoring: url =>
        new Response(
          JSON.stringify(
            url.includes('/v1/endpoints')
              ? {
                  items: [
                    { id: 'local', name: 'local', status: { reachable: true } },
                  ],
                }
              : {
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
                  ],
                },
          ),
          { status: 200, headers: { 'Content-Type': 'application/json' } },
        ),
    });
    const card = await screen.findByTestId('dashboard-containers');
    expect(
      await within(card).findByText('container in error across 1 endpoint'),
    ).toBeInTheDocument();
    expect(within(card).getByText('db · local')).toBeInTheDocument();
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
    expect(
      isContainerInError({ id: 'x', name: 'x', status: '', ...container }),
    ).toBe(expected);
  });
});
