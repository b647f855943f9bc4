import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { Connection } from '@internal/backstage-plugin-orch-common';
import { orchApiRef } from '../../api/OrchClient';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import { SettingsPage } from './SettingsPage';

jest.setTimeout(30_000);

const bastion: Connection = {
  id: 'c-1',
  type: 'portainer',
  name: 'portainer-prod',
  environment: 'prod',
  config: { url: 'https://portainer.example', endpoint_id: 2 },
  secrets: { api_key: { set: true, last4: 'abcd' } },
  keyId: 'k1',
  createdBy: 'user:default/ada',
  createdAt: '2026-11-26T00:00:00Z',
  updatedAt: '2026-11-26T00:00:00Z',
};

async function render(
  roles: Parameters<typeof meWith>[0],
  routes: Parameters<typeof mockOrchApi>[0]['routes'] = {},
  tab?: string,
) {
  const mock = mockOrchApi({
    me: meWith(roles),
    routes: {
      'GET /v1/connections': () => ({ items: [bastion] }),
      'GET /v1/users': () => ({
        items: [
          {
            id: 'u-1',
            email: 'ada@orch.test',
            displayName: 'Ada Lovelace',
            entityRef: 'user:default/ada',
            status: 'active',
            roles: ['admin'],
            mustChangePassword: false,
            createdAt: '2026-11-26T00:00:00Z',
            updatedAt: '2026-11-26T00:00:00Z',
          },
        ],
      }),
      'GET /v1/audit': () => ({ items: [] }),
      ...routes,
    },
  });
  await renderInTestApp(
    <TestApiProvider apis={[[orchApiRef, mock.api]]}>
      <SettingsPage />
    </TestApiProvider>,
    { initialRouteEntries: [tab ? `/settings?tab=${tab}` : '/settings'] },
  );
  return mock;
}

afterEach(() => localStorage.clear());

describe('SettingsPage', () => {
  it('shows a viewer only the preferences', async () => {
    await render(['viewer']);
    expect(
      await screen.findByRole('tab', { name: 'Preferences' }),
    ).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByRole('tab')).toHaveLength(1));
    expect(screen.queryByRole('tab', { name: 'Users and roles' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Audit log' })).toBeNull();
  });

  it('shows an administrator every section', async () => {
    await render(['admin']);
    for (const name of [
      'Preferences',
      'Connections',
      'Users and roles',
      'Audit log',
    ]) {
      expect(await screen.findByRole('tab', { name })).toBeInTheDocument();
    }
  });

  it('lists connections with their secrets masked', async () => {
    await render(['admin'], {}, 'connections');
    const row = (await screen.findByText('portainer-prod')).closest('tr')!;
    expect(
      within(row).getByText('api_key: Set, ends in abcd'),
    ).toBeInTheDocument();
    expect(row.textContent).not.toContain('secret-value');
  });

  it('edits a connection from its schema form without sending the untouched secret', async () => {
    const patch = jest.fn((body: any) => ({ ...bastion, name: body.name }));
    const { calls } = await render(
      ['admin'],
      { 'PATCH /v1/connections/c-1': patch },
      'connections',
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Edit portainer-prod' }),
    );
    const dialog = await screen.findByRole('dialog');
    const apiKey = within(dialog).getByLabelText(/^api_key/);
    expect(apiKey).toHaveAttribute('type', 'password');
    expect(apiKey).toHaveValue('');
    expect(within(dialog).getByLabelText(/^url/)).toHaveValue(
      'https://portainer.example',
    );
    expect(
      within(dialog).getByText(
        'Set, ends in abcd. Leave empty to keep the stored value.',
      ),
    ).toBeInTheDocument();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(patch).toHaveBeenCalledTimes(1));
    const body = calls.find(c => c.method === 'PATCH')!.body as any;
    expect(body.values).toEqual({
      url: 'https://portainer.example',
      endpoint_id: 2,
    });
    expect(body.values).not.toHaveProperty('api_key');
  });

  it("shows the server's field errors on their fields", async () => {
    const { api } = await render(
      ['admin'],
      {
        'POST /v1/connections': async () => {
          throw await apiError(400, 'Invalid values', {
            fields: [
              { field: 'values.url', message: 'must match format "uri"' },
            ],
          });
        },
      },
      'connections',
    );
    expect(api).toBeDefined();
    await userEvent.click(
      await screen.findByRole('button', { name: 'New connection' }),
    );
    const dialog = await screen.findByRole('dialog');
    // portainer: url and api_key are required; fill them.
    await userEvent.click(within(dialog).getByLabelText('Type'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'portainer' }),
    );
    await userEvent.type(within(dialog).getByLabelText(/^Name/), 'p1');
    await userEvent.type(
      within(dialog).getByLabelText(/^url/),
      'https://p.example',
    );
    await userEvent.type(within(dialog).getByLabelText(/^api_key/), 'k');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );

    expect(
      await within(dialog).findByText('must match format "uri"'),
    ).toBeInTheDocument();
  });

  it('creates a user with a generated one-time password', async () => {
    const create = jest.fn(() => ({}));
    await render(['admin'], { 'POST /v1/users': create }, 'users');
    await userEvent.click(
      await screen.findByRole('button', { name: 'New user' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(
      within(dialog).getByLabelText(/^Email/),
      'vic@orch.test',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Generate' }),
    );
    const password = (
      within(dialog).getByLabelText(/^One-time password/) as HTMLInputElement
    ).value;
    expect(password).toHaveLength(20);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Create' }),
    );
    await waitFor(() =>
      expect(create).toHaveBeenCalledWith({
        email: 'vic@orch.test',
        roles: ['viewer'],
        password,
      }),
    );
  });

  it('filters the audit log and asks the server with those filters', async () => {
    const { calls } = await render(['admin'], {}, 'audit');
    expect(
      await screen.findByText('No entry matches these filters.'),
    ).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Target'), 'runbook:hello');
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply filters' }),
    );
    await waitFor(() =>
      expect(
        calls.some(
          c =>
            c.path.startsWith('/v1/audit') &&
            c.path.includes('target=runbook%3Ahello'),
        ),
      ).toBe(true),
    );
  });
});
