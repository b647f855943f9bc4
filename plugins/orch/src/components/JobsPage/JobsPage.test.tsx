import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { Job } from '@internal/backstage-plugin-orch-common';
import { orchApiRef } from '../../api/OrchClient';
import { ORCH_ENVIRONMENT_STORAGE_KEY } from '../../hooks/useOrchEnvironment';
import { jobRouteRef } from '../../routes';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import { hello, job, swarmDeploy } from '../../__testUtils__/runbookFixtures';
import { JobsPage, toEntityRef } from './JobsPage';
import { JOBS_ACTIVE_POLL_MS } from './useJobsList';

jest.setTimeout(30_000);

type JobsAnswer = (query: URLSearchParams) => {
  items: Job[];
  nextCursor?: string;
};

async function render(options: {
  jobs: JobsAnswer | (() => Promise<never>);
  roles?: Parameters<typeof meWith>[0];
  search?: string;
}) {
  const { api, calls } = mockOrchApi({
    me: meWith(options.roles ?? ['viewer']),
    routes: {
      'GET /v1/runbooks': async () => ({ items: [hello, swarmDeploy] }),
    },
  });
  const request = api.request;
  api.request = (async (method: string, path: string, body?: unknown) => {
    if (path.startsWith('/v1/jobs')) {
      calls.push({ method, path, body });
      return options.jobs(new URLSearchParams(path.split('?')[1] ?? ''));
    }
    return request(method, path, body);
  }) as typeof api.request;
  await renderInTestApp(
    <TestApiProvider apis={[[orchApiRef, api]]}>
      <JobsPage />
    </TestApiProvider>,
    {
      mountedRoutes: { '/jobs/:id': jobRouteRef },
      initialRouteEntries: [`/jobs${options.search ?? ''}`],
    },
  );
  const jobCalls = () =>
    calls
      .filter(c => c.path.startsWith('/v1/jobs'))
      .map(c => new URLSearchParams(c.path.split('?')[1] ?? ''));
  return { jobCalls };
}

const rows = () =>
  within(screen.getByRole('table', { name: 'Jobs' }))
    .getAllByRole('row')
    .slice(1);

describe('JobsPage', () => {
  afterEach(() => {
    window.localStorage.clear();
    jest.useRealTimers();
  });

  it('shows each job with its status chip and a link to its page', async () => {
    const jobs = [
      job({ status: 'RUNNING', finishedAt: undefined }),
      job({ status: 'PENDING', startedAt: undefined, finishedAt: undefined }),
      job({
        status: 'SUCCESS',
        runbookName: 'swarm_deploy',
        environment: 'prod',
      }),
      job({ status: 'ERROR', createdBy: 'user:default/grace' }),
      job({ status: 'CANCELED' }),
    ];
    await render({ jobs: () => ({ items: jobs }) });
    await waitFor(() => expect(rows()).toHaveLength(5));
    const statuses = rows().map(r =>
      r.querySelector('[data-status]')?.getAttribute('data-status'),
    );
    expect(statuses).toEqual([
      'RUNNING',
      'PENDING',
      'SUCCESS',
      'ERROR',
      'CANCELED',
    ]);
    expect(within(rows()[0]).getByText('Running')).toBeInTheDocument();
    expect(within(rows()[3]).getByText('Error')).toBeInTheDocument();
    expect(within(rows()[3]).getByText('grace')).toBeInTheDocument();
    const link = within(rows()[2]).getByRole('link', { name: /swarm_deploy/ });
    expect(link).toHaveAttribute('href', `/jobs/${jobs[2].id}`);
    expect(within(rows()[2]).getByText('prod')).toBeInTheDocument();
  });

  it('sends the filters to the API and keeps them in the URL', async () => {
    const user = userEvent.setup({ delay: null });
    window.localStorage.setItem(ORCH_ENVIRONMENT_STORAGE_KEY, 'stage');
    const { jobCalls } = await render({
      jobs: () => ({ items: [job()] }),
      search: '?runbook=hello',
    });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(jobCalls()[0].get('runbook')).toBe('hello');
    expect(jobCalls()[0].get('environment')).toBe('stage');

    await user.click(screen.getByRole('combobox', { name: 'Status' }));
    await user.click(await screen.findByRole('option', { name: 'Running' }));
    await user.click(screen.getByRole('option', { name: 'Error' }));
    await user.keyboard('{Escape}');
    await waitFor(() =>
      expect(jobCalls().at(-1)?.get('status')).toBe('RUNNING,ERROR'),
    );

    await user.type(
      screen.getByRole('searchbox', { name: 'Started by' }),
      'grace',
    );
    await waitFor(() =>
      expect(jobCalls().at(-1)?.get('createdBy')).toBe('user:default/grace'),
    );

    await user.click(screen.getByRole('button', { name: 'My jobs' }));
    await waitFor(() =>
      expect(jobCalls().at(-1)?.get('createdBy')).toBe('user:default/ada'),
    );

    await user.click(screen.getByRole('combobox', { name: 'Environment' }));
    await user.click(await screen.findByRole('option', { name: 'prod' }));
    await waitFor(() =>
      expect(jobCalls().at(-1)?.get('environment')).toBe('prod'),
    );
    // The top bar's selector follows.
    expect(window.localStorage.getItem(ORCH_ENVIRONMENT_STORAGE_KEY)).toBe(
      'prod',
    );

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => {
      const last = jobCalls().at(-1)!;
      expect([...last.keys()].sort()).toEqual(['environment', 'limit']);
    });
  });

  it('pages with the API cursor, forward and back', async () => {
    const user = userEvent.setup({ delay: null });
    const first = [job({ runbookName: 'first-page' })];
    const second = [job({ runbookName: 'second-page' })];
    const { jobCalls } = await render({
      jobs: q =>
        q.get('cursor') === 'c2'
          ? { items: second }
          : { items: first, nextCursor: 'c2' },
    });
    expect(
      await screen.findByRole('link', { name: /first-page/ }),
    ).toBeInTheDocument();
    expect(screen.getByText('1–1 of more')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Previous page' }),
    ).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      await screen.findByRole('link', { name: /second-page/ }),
    ).toBeInTheDocument();
    expect(jobCalls().at(-1)?.get('cursor')).toBe('c2');
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    expect(screen.getByText('51–51')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(
      await screen.findByRole('link', { name: /first-page/ }),
    ).toBeInTheDocument();
    expect(jobCalls().at(-1)?.has('cursor')).toBe(false);
  });

  it('polls while a job on the page is still running', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    let status: Job['status'] = 'RUNNING';
    const running = job({ status: 'RUNNING', finishedAt: undefined });
    const { jobCalls } = await render({
      jobs: () => ({ items: [{ ...running, status }] }),
    });
    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(screen.getByText(/Live: updates every/)).toBeInTheDocument();
    status = 'SUCCESS';
    await act(async () => {
      jest.advanceTimersByTime(JOBS_ACTIVE_POLL_MS + 10);
    });
    expect(await screen.findByText('Success')).toBeInTheDocument();
    const calls = jobCalls().length;
    expect(screen.queryByText(/Live: updates every/)).not.toBeInTheDocument();
    // Nothing runs any more: no poll at the active pace.
    await act(async () => {
      jest.advanceTimersByTime(JOBS_ACTIVE_POLL_MS * 2);
    });
    expect(jobCalls()).toHaveLength(calls);
  });

  it('says when there is no job yet', async () => {
    await render({ jobs: () => ({ items: [] }) });
    expect(
      await screen.findByText('No job yet. Run one from Runbooks.'),
    ).toBeInTheDocument();
  });

  it('says when no job matches the filters', async () => {
    await render({ jobs: () => ({ items: [] }), search: '?status=ERROR' });
    expect(
      await screen.findByText('No job matches these filters.'),
    ).toBeInTheDocument();
  });

  it('shows a load error with a retry', async () => {
    await render({
      jobs: async () => {
        throw await apiError(500, 'database is down');
      },
    });
    expect(
      await screen.findByText('Could not load the jobs: database is down'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('says when the user may not read jobs', async () => {
    await render({
      jobs: async () => {
        throw await apiError(403, 'not allowed');
      },
    });
    expect(
      await screen.findByText('You may not read jobs.'),
    ).toBeInTheDocument();
  });
});

describe('toEntityRef', () => {
  it('completes a bare user name', () => {
    expect(toEntityRef('ada')).toBe('user:default/ada');
    expect(toEntityRef(' user:default/grace ')).toBe('user:default/grace');
    expect(toEntityRef('')).toBeUndefined();
  });
});
