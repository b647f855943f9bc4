import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { identityApiRef } from '@backstage/frontend-plugin-api';
import { orchApiRef } from '../../api/OrchClient';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import { ComingSoonPage } from './ComingSoonPage';
import { OrchTopBar } from './OrchTopBar';

jest.setTimeout(30_000);

async function render(
  routes: Parameters<typeof mockOrchApi>[0]['routes'] = {},
) {
  const mock = mockOrchApi({ me: meWith(['operator']), routes });
  const identity = mockApis.identity();
  const signOut = jest.spyOn(identity, 'signOut').mockResolvedValue();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, mock.api],
        [identityApiRef, identity],
      ]}
    >
      <OrchTopBar />
    </TestApiProvider>,
  );
  return { ...mock, signOut };
}

afterEach(() => localStorage.clear());

describe('OrchTopBar', () => {
  it('remembers the environment and tells the other components', async () => {
    await render();
    const changes: unknown[] = [];
    const listener = (e: Event) => changes.push((e as CustomEvent).detail);
    window.addEventListener('orch-environment', listener);

    await userEvent.click(screen.getByLabelText('Environment'));
    await userEvent.click(await screen.findByRole('option', { name: 'prod' }));

    expect(localStorage.getItem('orch.environment')).toBe('prod');
    expect(changes).toEqual(['prod']);
    await userEvent.click(screen.getByLabelText('Environment'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'All environments' }),
    );
    expect(localStorage.getItem('orch.environment')).toBeNull();
    window.removeEventListener('orch-environment', listener);
  });

  it('shows the user, their roles, and signs out', async () => {
    const { signOut } = await render();
    const button = await screen.findByRole('button', { name: /Ada Lovelace/ });
    await userEvent.click(button);
    const menu = await screen.findByRole('menu');
    expect(within(menu).getByText('Operator')).toBeInTheDocument();
    await userEvent.click(
      within(menu).getByRole('menuitem', { name: 'Sign out' }),
    );
    expect(signOut).toHaveBeenCalledTimes(1);
  });

  it('changes the password, keeping this session, and shows refusals on their field', async () => {
    let answer: () => Promise<unknown> = async () => {
      throw await apiError(400, 'Invalid', {
        fields: [{ field: 'newPassword', message: 'Password is too common' }],
      });
    };
    const { calls } = await render({
      'POST /v1/auth/password': () => answer(),
    });
    await userEvent.click(
      await screen.findByRole('button', { name: /Ada Lovelace/ }),
    );
    await userEvent.click(
      await screen.findByRole('menuitem', { name: 'Change password' }),
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Change password',
    });
    await userEvent.type(
      within(dialog).getByLabelText(/^Current password/),
      'old one',
    );
    await userEvent.type(
      within(dialog).getByLabelText(/^New password/),
      'password123456',
    );
    await userEvent.type(
      within(dialog).getByLabelText(/^Confirm new password/),
      'password123456',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Change password' }),
    );
    expect(
      await within(dialog).findByText('Password is too common'),
    ).toBeInTheDocument();

    answer = async () => undefined;
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Change password' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter(c => c.path === '/v1/auth/password')[1].body).toEqual({
      currentPassword: 'old one',
      newPassword: 'password123456',
      refreshToken: undefined,
    });
  });
});

describe('ComingSoonPage', () => {
  it('names the issue that brings the page', async () => {
    await renderInTestApp(<ComingSoonPage page="containers" issue={7} />);
    expect(
      screen.getByRole('heading', { level: 1, name: 'Containers' }),
    ).toBeInTheDocument();
    expect(screen.getByText('Containers is not here yet')).toBeInTheDocument();
    expect(screen.getByText(/arrives with issue 7/)).toBeInTheDocument();
  });
});
