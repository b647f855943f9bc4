import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { orchApiRef } from '../../api/OrchClient';
import { portainerApiRef, type PortainerApi } from '../../api/PortainerClient';
import { incidentRouteRef } from '../../routes';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import {
  incident,
  localEndpoint,
  mockPortainerApi,
} from '../../__testUtils__/portainerApiMock';
import { IncidentsPage } from './IncidentsPage';

configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);

async function render(portainer: Partial<PortainerApi>, search = '') {
  const api = mockPortainerApi({
    listEndpoints: jest.fn(async () => ({ items: [localEndpoint] })),
    ...portainer,
  });
  const { api: orch } = mockOrchApi({ me: meWith(['viewer']) });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, orch],
        [portainerApiRef, api],
      ]}
    >
      <IncidentsPage />
    </TestApiProvider>,
    {
      mountedRoutes: { '/incidents/:id': incidentRouteRef },
      initialRouteEntries: [`/incidents${search}`],
    },
  );
  return api;
}

describe('IncidentsPage', () => {
  it('lists open and acknowledged incidents by default, each linking to its page', async () => {
    const api = await render({
      listIncidents: jest.fn(async () => ({
        items: [
          incident(),
          incident({
            id: 'inc-2',
            subject: 'cache',
            reason: 'oom',
            exitCode: undefined,
            status: 'acknowledged',
            count: 1,
          }),
        ],
      })),
    });
    const table = await screen.findByRole('table', { name: 'Incidents' });
    const first = within(table).getByTestId('incident-inc-1');
    expect(within(first).getByRole('link', { name: 'api' })).toHaveAttribute(
      'href',
      '/incidents/inc-1',
    );
    expect(within(first).getByText('Exited with code 3')).toBeInTheDocument();
    expect(within(first).getByText('Open')).toBeInTheDocument();
    const second = within(table).getByTestId('incident-inc-2');
    expect(within(second).getByText('Out of memory')).toBeInTheDocument();
    expect(within(second).getByText('Acknowledged')).toBeInTheDocument();
    expect(api.listIncidents).toHaveBeenCalledWith(
      expect.objectContaining({ status: ['open', 'acknowledged'] }),
    );
  });

  it('walks pages with the cursor and comes back', async () => {
    const listIncidents = jest.fn(async (q: { cursor?: string }) =>
      q.cursor
        ? { items: [incident({ id: 'inc-9', subject: 'old' })] }
        : { items: [incident()], nextCursor: 'page-2' },
    );
    await render({ listIncidents });
    await screen.findByRole('link', { name: 'api' });
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      await screen.findByRole('link', { name: 'old' }),
    ).toBeInTheDocument();
    expect(listIncidents).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'page-2' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Previous page' }),
    );
    expect(
      await screen.findByRole('link', { name: 'api' }),
    ).toBeInTheDocument();
  });

  it('says so when nothing is open, and when filters match nothing', async () => {
    await render({ listIncidents: jest.fn(async () => ({ items: [] })) });
    expect(
      await screen.findByText('No incident. Failed containers open one here.'),
    ).toBeInTheDocument();
  });

  it('sends the URL filters to the server', async () => {
    const api = await render(
      { listIncidents: jest.fn(async () => ({ items: [] })) },
      '?status=resolved&stack=shop',
    );
    expect(
      await screen.findByText('No incident matches these filters.'),
    ).toBeInTheDocument();
    expect(api.listIncidents).toHaveBeenCalledWith(
      expect.objectContaining({ status: ['resolved'], stack: 'shop' }),
    );
  });

  it('shows the error with a retry', async () => {
    const listIncidents = jest
      .fn()
      .mockRejectedValueOnce(await apiError(500, 'database is locked'))
      .mockResolvedValue({ items: [incident()] });
    await render({ listIncidents });
    expect(await screen.findByText('database is locked')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(screen.getByRole('link', { name: 'api' })).toBeInTheDocument(),
    );
  });
});
