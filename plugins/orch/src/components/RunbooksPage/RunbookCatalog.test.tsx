import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { Runbook } from '@internal/backstage-plugin-orch-common';
import { orchApiRef } from '../../api/OrchClient';
import { ORCH_ENVIRONMENT_STORAGE_KEY } from '../../hooks/useOrchEnvironment';
import { runbooksRouteRef } from '../../routes';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import {
  hello,
  secretEcho,
  swarmDeploy,
  swarmRemove,
} from '../../__testUtils__/runbookFixtures';
import { RunbooksPage } from './RunbooksPage';

jest.setTimeout(30_000);

async function render(options: {
  runbooks?: () => Promise<{ items: Runbook[] }>;
  roles?: Parameters<typeof meWith>[0];
}) {
  const { api, calls } = mockOrchApi({
    me: meWith(options.roles ?? ['operator']),
    routes: {
      'GET /v1/runbooks':
        options.runbooks ??
        (async () => ({
          items: [hello, secretEcho, swarmDeploy, swarmRemove],
        })),
    },
  });
  await renderInTestApp(
    <TestApiProvider apis={[[orchApiRef, api]]}>
      <RunbooksPage />
    </TestApiProvider>,
    {
      mountedRoutes: { '/runbooks': runbooksRouteRef },
      mountPath: '/runbooks',
      initialRouteEntries: ['/runbooks'],
    },
  );
  return { calls };
}

const card = (name: string) => screen.getByTestId(`runbook-${name}`);

describe('RunbookCatalog', () => {
  afterEach(() => window.localStorage.clear());

  it('lists runbooks with risk, environments and the disabled ones marked', async () => {
    await render({});
    expect(
      await screen.findByRole('heading', { name: 'Hello' }),
    ).toBeInTheDocument();
    expect(within(card('hello')).getByText('Risk: low')).toBeInTheDocument();
    expect(
      within(card('swarm_deploy')).getByText('Risk: medium'),
    ).toBeInTheDocument();
    expect(
      within(card('swarm_deploy')).getByText('Needs: docker'),
    ).toBeInTheDocument();
    expect(within(card('hello')).getByText('prod')).toBeInTheDocument();
    expect(within(card('hello')).getByText('stage')).toBeInTheDocument();
    const removed = card('swarm_remove');
    expect(within(removed).getByText('Disabled')).toBeInTheDocument();
    expect(within(removed).getByText('Risk: high')).toBeInTheDocument();
    expect(screen.getByText('4 runbooks')).toBeInTheDocument();
  });

  it('offers Execute to operators, except on disabled runbooks', async () => {
    await render({});
    const execute = await within(
      await screen.findByTestId('runbook-hello'),
    ).findByRole('link', { name: 'Execute Hello' });
    expect(execute).toHaveAttribute('href', '/runbooks/hello/execute');
    expect(
      within(card('swarm_remove')).queryByRole('link', { name: /Execute/ }),
    ).not.toBeInTheDocument();
  });

  it('shows a viewer no Execute button anywhere', async () => {
    await render({ roles: ['viewer'] });
    expect(
      await screen.findByRole('heading', { name: 'Hello' }),
    ).toBeInTheDocument();
    expect(screen.queryAllByRole('link', { name: /Execute/ })).toHaveLength(0);
    expect(screen.queryAllByRole('button', { name: /Execute/ })).toHaveLength(
      0,
    );
  });

  it('filters by text and by category', async () => {
    const user = userEvent.setup({ delay: null });
    await render({});
    await screen.findByRole('heading', { name: 'Hello' });
    await user.type(
      screen.getByRole('searchbox', { name: 'Search runbooks' }),
      'secret',
    );
    expect(screen.getByText('1 runbook')).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { name: 'Secret echo' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('heading', { name: 'Hello' }),
    ).not.toBeInTheDocument();

    await user.clear(
      screen.getByRole('searchbox', { name: 'Search runbooks' }),
    );
    await user.click(screen.getByRole('combobox', { name: 'Category' }));
    await user.click(await screen.findByRole('option', { name: 'swarm' }));
    await waitFor(() =>
      expect(screen.getByText('2 runbooks')).toBeInTheDocument(),
    );
    expect(
      screen.queryByRole('heading', { name: 'Hello' }),
    ).not.toBeInTheDocument();

    await user.type(
      screen.getByRole('searchbox', { name: 'Search runbooks' }),
      'zzz',
    );
    expect(
      screen.getByText('No runbook matches these filters.'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByText('4 runbooks')).toBeInTheDocument();
  });

  it('asks the server for the environment of the top bar', async () => {
    window.localStorage.setItem(ORCH_ENVIRONMENT_STORAGE_KEY, 'prod');
    const { calls } = await render({ runbooks: async () => ({ items: [] }) });
    expect(
      await screen.findByText('No runbook may run in prod.'),
    ).toBeInTheDocument();
    expect(calls.map(c => c.path)).toContain('/v1/runbooks?environment=prod');
  });

  it('says when nothing is installed', async () => {
    await render({ runbooks: async () => ({ items: [] }) });
    expect(
      await screen.findByText('No runbook is installed.'),
    ).toBeInTheDocument();
  });

  it('shows the error with a retry', async () => {
    let fail = true;
    await render({
      runbooks: async () => {
        if (fail) throw await apiError(500, 'database is down');
        return { items: [hello] };
      },
    });
    expect(
      await screen.findByText('Could not load the runbooks: database is down'),
    ).toBeInTheDocument();
    fail = false;
    await userEvent
      .setup({ delay: null })
      .click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('heading', { name: 'Hello' }),
    ).toBeInTheDocument();
  });
});
