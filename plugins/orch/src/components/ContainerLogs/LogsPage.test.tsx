import { act, configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { ContainerList } from '@internal/backstage-plugin-portainer-common';
import { orchApiRef } from '../../api/OrchClient';
import {
  portainerApiRef,
  type ContainerLogHandlers,
} from '../../api/PortainerClient';
import { meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import {
  container,
  localEndpoint,
  mockPortainerApi,
} from '../../__testUtils__/portainerApiMock';
import { lineToEvent } from './lineLogSource';
import { LogsPage } from './LogsPage';

configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);

const containers: ContainerList = {
  endpointId: 'local',
  items: [container(), container({ id: 'c2', name: 'worker' })],
  fetchedAt: new Date().toISOString(),
  stale: false,
  ageSeconds: 0,
  detailed: true,
};

async function render(
  search: string,
  roles: Parameters<typeof meWith>[0] = ['viewer'],
) {
  let handlers: ContainerLogHandlers | undefined;
  const api = mockPortainerApi({
    listEndpoints: jest.fn(async () => ({ items: [localEndpoint] })),
    listContainers: jest.fn(async () => containers),
    followLogs: jest.fn((_e, _c, _o, h, signal) => {
      handlers = h;
      return new Promise<void>(resolve =>
        signal.addEventListener('abort', () => resolve()),
      );
    }),
  });
  const { api: orch } = mockOrchApi({ me: meWith(roles) });
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, orch],
        [portainerApiRef, api],
      ]}
    >
      <LogsPage />
    </TestApiProvider>,
    { initialRouteEntries: [`/logs${search}`] },
  );
  return { api, stream: () => handlers! };
}

const line = (text: string) =>
  screen
    .getAllByText(text, { exact: false })
    .map(el => el.closest('.orch-log-line'))
    .find(Boolean) as HTMLElement;

describe('LogsPage', () => {
  it('asks to pick a container first', async () => {
    await render('');
    expect(
      await screen.findByText('Pick a container to follow its output.'),
    ).toBeInTheDocument();
  });

  it("follows the container's output, each line with its stream, and searches in it", async () => {
    const { api, stream } = await render('?endpoint=local&container=c1');
    await waitFor(() => expect(api.followLogs).toHaveBeenCalled());
    expect(api.followLogs.mock.calls[0].slice(0, 3)).toEqual([
      'local',
      'c1',
      { tail: 500 },
    ]);
    expect(
      screen.getByRole('region', { name: 'Output of web' }),
    ).toBeInTheDocument();
    act(() => {
      stream().onLines([
        {
          stream: 'stdout',
          line: 'listening on :8080',
          ts: '2026-11-26T04:00:00.123456789Z',
        },
        { stream: 'stderr', line: 'warn: slow upstream' },
        { stream: 'stdout', line: 'GET /health 200' },
      ]);
    });
    await screen.findByText('warn: slow upstream', { exact: false });
    expect(line('warn: slow upstream')).toHaveClass('orch-log-error');
    expect(line('listening on :8080')).not.toHaveClass('orch-log-error');
    // Docker's timestamp shows as the time of day, before the text.
    expect(line('listening on :8080')).toHaveTextContent(
      '04:00:00.123 listening on :8080',
    );
    expect(screen.getByText('3 lines')).toBeInTheDocument();

    await userEvent.type(
      screen.getByRole('textbox', { name: 'Search in log' }),
      'health{Enter}',
    );
    expect(await screen.findByText('1 of 1')).toBeInTheDocument();
  });

  it('says so when the container stops', async () => {
    const { stream } = await render('?endpoint=local&container=c1');
    await waitFor(() => expect(stream()).toBeDefined());
    act(() => stream().onEnd?.('output ended'));
    expect(
      await screen.findByText('The container stopped: its output ended.'),
    ).toBeInTheDocument();
  });

  it('shows nothing of the logs to someone without a role', async () => {
    const { api } = await render('?endpoint=local&container=c1', []);
    expect(
      await screen.findByText(
        'Your roles do not include reading container logs.',
      ),
    ).toBeInTheDocument();
    expect(api.followLogs).not.toHaveBeenCalled();
  });
});

describe('lineToEvent', () => {
  it('marks stderr as an error line and keeps stdout plain', () => {
    expect(lineToEvent({ stream: 'stderr', line: 'boom' }, 7)).toMatchObject({
      seq: 7,
      level: 'error',
      stdout: 'boom',
    });
    expect(lineToEvent({ stream: 'stdout', line: 'ok' }, 8)).toMatchObject({
      seq: 8,
      level: 'info',
      stdout: 'ok',
    });
  });
});
