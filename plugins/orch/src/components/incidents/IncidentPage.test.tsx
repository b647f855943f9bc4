import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { IncidentDetail } from '@internal/backstage-plugin-portainer-common';
import { orchApiRef } from '../../api/OrchClient';
import { portainerApiRef, type PortainerApi } from '../../api/PortainerClient';
import { jobRouteRef } from '../../routes';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import {
  incident,
  mockPortainerApi,
} from '../../__testUtils__/portainerApiMock';
import { IncidentView } from './IncidentPage';

configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);

function detail(overrides: Partial<IncidentDetail> = {}): IncidentDetail {
  const base = incident();
  return {
    ...base,
    context: {
      capturedAt: base.openedAt,
      logs: [
        { stream: 'stdout', line: 'starting api', ts: base.openedAt },
        { stream: 'stderr', line: 'fatal: cannot reach db', ts: base.openedAt },
      ],
      container: {
        id: 'c9',
        name: 'api',
        image: 'shop/api:1.4.2',
        command: ['node', 'server.js'],
        entrypoint: [],
        labels: { 'com.docker.stack.namespace': 'shop' },
        env: [
          { name: 'NODE_ENV', value: 'production', redacted: false },
          { name: 'API_TOKEN', value: '********', redacted: true },
        ],
        restartCount: 4,
        memoryLimit: 0,
        state: { status: 'exited', exitCode: 3, oomKilled: false },
      },
      stack: 'shop',
      relatedJobIds: ['job-42'],
    },
    timeline: [
      {
        id: 't1',
        incidentId: base.id,
        ts: base.openedAt,
        kind: 'opened',
        detail: 'api exited with code 3',
      },
      {
        id: 't2',
        incidentId: base.id,
        ts: base.lastSeenAt,
        kind: 'recurred',
        detail: 'api exited with code 3 (5th time)',
      },
    ],
    ...overrides,
  };
}

async function render(
  portainer: Partial<PortainerApi>,
  roles: Parameters<typeof meWith>[0] = ['operator'],
) {
  const api = mockPortainerApi(portainer);
  const { api: orch } = mockOrchApi({ me: meWith(roles) });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, orch],
        [portainerApiRef, api],
      ]}
    >
      <IncidentView id="inc-1" />
    </TestApiProvider>,
    { mountedRoutes: { '/jobs/:id': jobRouteRef } },
  );
  return api;
}

describe('IncidentView', () => {
  it('shows what failed, how often, the timeline, captured logs, spec and related jobs', async () => {
    await render({ getIncident: jest.fn(async () => detail()) });
    expect(
      await screen.findByRole('heading', { level: 1, name: 'api' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('incident-reason')).toHaveTextContent(
      'Exited with code 3',
    );
    expect(screen.getByText('5 times')).toBeInTheDocument();
    expect(screen.getByText('Open')).toBeInTheDocument();

    const timeline = screen.getByRole('region', { name: 'Timeline' });
    expect(within(timeline).getAllByRole('listitem')).toHaveLength(2);
    expect(
      within(timeline).getByText('api exited with code 3 (5th time)'),
    ).toBeInTheDocument();

    const logs = screen.getByRole('region', { name: 'Captured logs' });
    expect(
      await within(logs).findByText('fatal: cannot reach db'),
    ).toBeInTheDocument();

    const spec = screen.getByRole('region', { name: 'Spec at opening' });
    expect(within(spec).getByTestId('env-API_TOKEN')).toHaveTextContent(
      '********',
    );
    expect(within(spec).getByText('shop/api:1.4.2')).toBeInTheDocument();

    const jobs = screen.getByRole('region', { name: 'Related jobs' });
    expect(within(jobs).getByRole('link', { name: 'job-42' })).toHaveAttribute(
      'href',
      '/jobs/job-42',
    );
  });

  it('offers Acknowledge and Resolve to those who manage incidents', async () => {
    const api = await render({
      getIncident: jest
        .fn()
        .mockResolvedValueOnce(detail())
        .mockResolvedValue(
          detail({
            status: 'acknowledged',
            acknowledgedBy: 'user:default/ada',
          }),
        ),
      acknowledgeIncident: jest.fn(async () =>
        incident({
          status: 'acknowledged',
          acknowledgedBy: 'user:default/ada',
          acknowledgedAt: new Date().toISOString(),
        }),
      ),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Acknowledge' }),
    );
    expect(api.acknowledgeIncident).toHaveBeenCalledWith('inc-1');
    expect(await screen.findByText('Acknowledged')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Acknowledge' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('button', { name: 'Resolve' })).toBeEnabled();
  });

  it('shows neither button to a viewer', async () => {
    await render({ getIncident: jest.fn(async () => detail()) }, ['viewer']);
    await screen.findByRole('heading', { level: 1, name: 'api' });
    expect(
      screen.queryByRole('button', { name: 'Acknowledge' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Resolve' }),
    ).not.toBeInTheDocument();
  });

  it('shows no button once the incident is resolved', async () => {
    await render({
      getIncident: jest.fn(async () =>
        detail({
          status: 'resolved',
          resolvedBy: 'user:default/ada',
          resolvedAt: new Date().toISOString(),
        }),
      ),
    });
    expect(await screen.findByText(/Resolved by ada/)).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Resolve' }),
    ).not.toBeInTheDocument();
  });

  it('says so when someone resolved it first (409)', async () => {
    await render({
      getIncident: jest.fn(async () => detail()),
      resolveIncident: jest.fn(async () => {
        throw await apiError(409, 'Incident inc-1 is already resolved');
      }),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Resolve' }),
    );
    expect(
      await screen.findByText('This incident was already resolved.'),
    ).toBeInTheDocument();
  });

  it('says so when the incident does not exist', async () => {
    await render({
      getIncident: jest.fn(async () => {
        throw await apiError(404, 'Incident inc-1 not found');
      }),
    });
    expect(
      await screen.findByText('This incident does not exist.'),
    ).toBeInTheDocument();
  });
});
