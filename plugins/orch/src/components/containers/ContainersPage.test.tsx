import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type {
  ContainerDetail,
  ContainerList,
} from '@internal/backstage-plugin-portainer-common';
import { orchApiRef } from '../../api/OrchClient';
import { portainerApiRef, type PortainerApi } from '../../api/PortainerClient';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import {
  container,
  localEndpoint,
  mockPortainerApi,
} from '../../__testUtils__/portainerApiMock';
import { ContainersPage } from './ContainersPage';

configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);

function listing(overrides: Partial<ContainerList> = {}): ContainerList {
  return {
    endpointId: 'local',
    items: [],
    fetchedAt: new Date().toISOString(),
    stale: false,
    ageSeconds: 0,
    detailed: true,
    ...overrides,
  };
}

async function render(
  portainer: Partial<PortainerApi>,
  options: { roles?: Parameters<typeof meWith>[0]; search?: string } = {},
) {
  const api = mockPortainerApi({
    listEndpoints: jest.fn(async () => ({ items: [localEndpoint] })),
    ...portainer,
  });
  const { api: orch } = mockOrchApi({
    me: meWith(options.roles ?? ['operator']),
  });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, orch],
        [portainerApiRef, api],
      ]}
    >
      <ContainersPage />
    </TestApiProvider>,
    { initialRouteEntries: [`/containers${options.search ?? ''}`] },
  );
  return api;
}

describe('ContainersPage', () => {
  afterEach(() => localStorage.clear());

  it('shows a spinner while the first listing loads', async () => {
    await render({ listContainers: jest.fn(() => new Promise(() => {})) });
    expect(
      await screen.findByRole('progressbar', { name: 'Loading…' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('lists containers with their state, health and restarts', async () => {
    const api = await render({
      listContainers: jest.fn(async () =>
        listing({
          items: [
            container(),
            container({
              id: 'c2',
              name: 'worker',
              state: 'exited',
              status: 'Exited (3) 1 minute ago',
              health: 'none',
              exitCode: 3,
              restartCount: 4,
              stack: 'shop',
              service: 'worker',
            }),
            container({ id: 'c3', name: 'db', health: 'unhealthy' }),
          ],
        }),
      ),
    });
    const table = await screen.findByRole('table', { name: 'Containers' });
    const worker = within(table).getByTestId('container-worker');
    expect(within(worker).getByText('Exited (3)')).toBeInTheDocument();
    expect(within(worker).getByText('4')).toBeInTheDocument();
    expect(within(worker).getByText('shop')).toBeInTheDocument();
    expect(
      within(within(table).getByTestId('container-db')).getByText('Unhealthy'),
    ).toBeInTheDocument();
    expect(
      within(within(table).getByTestId('container-web')).getByText('Healthy'),
    ).toBeInTheDocument();
    expect(api.listContainers).toHaveBeenCalledWith({
      endpointId: 'local',
      stack: undefined,
      status: undefined,
    });
    expect(screen.getByText('3 containers')).toBeInTheDocument();
  });

  it('says so when the endpoint runs no container', async () => {
    await render({ listContainers: jest.fn(async () => listing()) });
    expect(
      await screen.findByText('No container on this endpoint.'),
    ).toBeInTheDocument();
  });

  it("shows the server's error naming the endpoint, with a retry", async () => {
    const listContainers = jest
      .fn()
      .mockRejectedValueOnce(
        await apiError(
          503,
          'Endpoint local (Docker socket) did not answer in 5 s',
        ),
      )
      .mockResolvedValue(listing({ items: [container()] }));
    await render({ listContainers });
    expect(
      await screen.findByText(
        'Endpoint local (Docker socket) did not answer in 5 s',
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByRole('table', { name: 'Containers' }),
    ).toBeInTheDocument();
  });

  it('says a stale listing is stale, with its age and the error', async () => {
    await render({
      listContainers: jest.fn(async () =>
        listing({
          items: [container()],
          stale: true,
          fetchedAt: new Date(Date.now() - 125_000).toISOString(),
          ageSeconds: 125,
          error: 'Endpoint local: connect ECONNREFUSED',
        }),
      ),
    });
    const banner = await screen.findByTestId('stale-banner');
    expect(banner).toHaveTextContent(
      'Endpoint local did not answer: this listing is 2 min 05 s old. Endpoint local: connect ECONNREFUSED',
    );
    expect(screen.getByRole('table', { name: 'Containers' })).toBeVisible();
  });

  const NO_ENGINE =
    "No Docker engine answers at /var/run/docker.sock: start one with 'dockerd &' (or 'sudo systemctl start docker')";

  it('says in one line how to start Docker when no engine answers on the local socket', async () => {
    const api = await render({
      listEndpoints: jest.fn(async () => ({
        items: [
          {
            ...localEndpoint,
            status: {
              reachable: false,
              noEngine: true,
              checkedAt: new Date().toISOString(),
            },
            error: NO_ENGINE,
          },
        ],
      })),
      listContainers: jest.fn(async () => {
        throw await apiError(
          503,
          'Endpoint "local" is unreachable: connect ECONNREFUSED',
        );
      }),
    });
    expect(await screen.findByTestId('no-docker-engine')).toHaveTextContent(
      NO_ENGINE,
    );
    await waitFor(() => expect(api.listContainers).toHaveBeenCalled());
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.queryByText(/ECONNREFUSED/)).not.toBeInTheDocument();
    expect(
      screen.queryByText('Endpoint local is unreachable'),
    ).not.toBeInTheDocument();
  });

  it('says the same line when there is no local socket at all', async () => {
    await render({
      listEndpoints: jest.fn(async () => ({
        items: [],
        errors: [{ source: 'local', message: NO_ENGINE }],
      })),
    });
    expect(await screen.findByTestId('no-docker-engine')).toHaveTextContent(
      NO_ENGINE,
    );
    expect(
      screen.queryByText('No Docker endpoint is configured.'),
    ).not.toBeInTheDocument();
  });

  it('says "not configured" when the portainer plugin is not installed', async () => {
    await render({
      listEndpoints: jest.fn(async () => {
        throw await apiError(404, 'Not found');
      }),
    });
    expect(
      await screen.findByText('Monitoring is not configured'),
    ).toBeInTheDocument();
  });

  it('sends the stack and state filters from the URL to the server', async () => {
    const api = await render(
      { listContainers: jest.fn(async () => listing()) },
      { search: '?stack=shop&status=exited' },
    );
    await screen.findByText('No container matches these filters.');
    expect(api.listContainers).toHaveBeenCalledWith({
      endpointId: 'local',
      stack: 'shop',
      status: 'exited',
    });
  });

  it('opens the detail drawer with the redacted environment', async () => {
    const detail = {
      ...container(),
      endpointId: 'local',
      command: ['nginx', '-g', 'daemon off;'],
      entrypoint: [],
      env: [
        { name: 'PORT', value: '8080', redacted: false },
        { name: 'DB_PASSWORD', value: '********', redacted: true },
      ],
      tty: false,
      memoryLimit: 0,
      cpuLimit: 0,
      mounts: [],
      networks: ['bridge'],
      stateDetail: {
        running: true,
        paused: false,
        restarting: false,
        oomKilled: false,
        dead: false,
        pid: 42,
        exitCode: 0,
      },
    } as ContainerDetail;
    await render({
      listContainers: jest.fn(async () => listing({ items: [container()] })),
      getContainer: jest.fn(async () => detail),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Details of web' }),
    );
    const drawer = await screen.findByRole('dialog', {
      name: 'Container web',
    });
    const secret = await within(drawer).findByTestId('env-DB_PASSWORD');
    expect(secret).toHaveTextContent('********');
    expect(secret).toHaveTextContent('redacted');
    expect(within(drawer).getByTestId('env-PORT')).toHaveTextContent('8080');
    expect(within(drawer).getByRole('tab', { name: 'Logs' })).toBeVisible();
  });

  it('hides the logs tab from those who may not read logs', async () => {
    await render(
      {
        listContainers: jest.fn(async () => listing({ items: [container()] })),
        getContainer: jest.fn(() => new Promise<never>(() => {})),
      },
      { roles: [], search: '?container=c1' },
    );
    expect(
      await screen.findByText('Your roles do not include reading containers.'),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.queryByRole('tab', { name: 'Logs' }),
      ).not.toBeInTheDocument(),
    );
  });
});
