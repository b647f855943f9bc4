import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import type { IdentityApi } from '@backstage/frontend-plugin-api';
import {
  errorResponse,
  fetchCalls,
  jsonResponse,
  mockFetch,
  tokenResponse,
} from '../../__testUtils__/authServer';
import { OrchPasswordIdentity } from '../../auth/OrchPasswordIdentity';
import { SESSION_STORAGE_KEY } from '../../auth/storedSession';
import { OrchSignInPage } from './OrchSignInPage';

// Full user flows through MUI forms take a few seconds each when the whole
// suite runs in parallel.
jest.setTimeout(30_000);

const signedIn: IdentityApi[] = [];

async function renderPage() {
  const onSignInSuccess = jest.fn((identity: IdentityApi) => {
    signedIn.push(identity);
  });
  await renderInTestApp(<OrchSignInPage onSignInSuccess={onSignInSuccess} />, {
    apis: [mockApis.discovery({ baseUrl: 'http://orch.test' })],
  });
  return { onSignInSuccess };
}

/** Types into the field of `label` (pasted: key-by-key typing is slow with MUI). */
async function enter(label: RegExp, text: string) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.paste(text);
}

async function fillIn(email: string, password: string) {
  await enter(/^Email/, email);
  await enter(/^Password/, password);
}

const pressEnter = () => userEvent.keyboard('{Enter}');

afterEach(() => {
  signedIn
    .splice(0)
    .forEach(identity => (identity as OrchPasswordIdentity).dispose());
  jest.restoreAllMocks();
  localStorage.clear();
  sessionStorage.clear();
});

describe('OrchSignInPage', () => {
  it('posts the email, password and remember choice, then hands over the identity', async () => {
    const fetchMock = mockFetch(() =>
      jsonResponse(200, tokenResponse({ remember: true })),
    );
    const { onSignInSuccess } = await renderPage();

    expect(screen.getByRole('heading', { name: 'Orch' })).toBeInTheDocument();
    expect(screen.getByText(/Forgot password\?/)).toBeInTheDocument();
    expect(
      screen.getByText('yarn orch users reset-password <email>'),
    ).toBeInTheDocument();

    await fillIn('  alice@orch.test ', 'correct horse battery');
    await userEvent.click(screen.getByLabelText('Remember me'));
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(fetchCalls(fetchMock)).toEqual([
      expect.objectContaining({
        path: '/v1/auth/login',
        body: {
          email: 'alice@orch.test',
          password: 'correct horse battery',
          remember: true,
        },
      }),
    ]);
    await expect(
      onSignInSuccess.mock.calls[0][0].getBackstageIdentity(),
    ).resolves.toMatchObject({ userEntityRef: 'user:default/alice' });
  });

  it('submits with Enter and shows progress while waiting', async () => {
    let answer: (response: Response) => void = () => {};
    mockFetch(
      () =>
        new Promise<Response>(resolve => {
          answer = resolve;
        }),
    );
    const { onSignInSuccess } = await renderPage();

    await fillIn('alice@orch.test', 'correct horse battery');
    await pressEnter();

    expect(
      await screen.findByRole('progressbar', { name: 'Signing in' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Sign in/ })).toBeDisabled();

    answer(jsonResponse(200, tokenResponse()));
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
  });

  it('shows the message of a 401 and lets the user try again', async () => {
    mockFetch(() =>
      errorResponse(401, 'AuthenticationError', 'Invalid email or password'),
    );
    const { onSignInSuccess } = await renderPage();

    await fillIn('alice@orch.test', 'wrong password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Invalid email or password',
    );
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    expect(onSignInSuccess).not.toHaveBeenCalled();
  });

  it('says how long to wait when rate-limited', async () => {
    mockFetch(() =>
      errorResponse(429, 'TooManyRequestsError', 'Too many', {
        headers: { 'Retry-After': '240' },
      }),
    );
    await renderPage();

    await fillIn('alice@orch.test', 'whatever it is');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many attempts. Try again in 4 minutes.',
    );
  });

  it.each([
    ['a network error', () => Promise.reject(new TypeError('Failed to fetch'))],
    [
      'a 502',
      () => Promise.resolve(new Response('Bad gateway', { status: 502 })),
    ],
  ])('says the server is unreachable on %s', async (_, answer) => {
    mockFetch(answer);
    await renderPage();

    await fillIn('alice@orch.test', 'correct horse battery');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Cannot reach the Orch server',
    );
  });

  it('asks for a new password first when the server requires one', async () => {
    const login = tokenResponse({ passwordChangeRequired: true });
    let passwordAnswer = errorResponse(400, 'InputError', 'Invalid', {
      fields: [
        { field: 'currentPassword', message: 'is not your current password' },
        { field: 'newPassword', message: 'Password is too common' },
      ],
    });
    const fetchMock = mockFetch(path =>
      path === '/v1/auth/login' ? jsonResponse(200, login) : passwordAnswer,
    );
    const { onSignInSuccess } = await renderPage();

    await fillIn('alice@orch.test', 'admin-set password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(
      await screen.findByRole('form', { name: 'Choose a new password' }),
    ).toBeInTheDocument();
    await enter(/^Current password/, 'admin-set password');
    await enter(/^New password/, 'password123456');
    await enter(/^Confirm new password/, 'password123456');
    await userEvent.click(
      screen.getByRole('button', { name: 'Change password and continue' }),
    );

    expect(
      await screen.findByText('Password is too common'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Current password is not your current password'),
    ).toBeInTheDocument();
    expect(onSignInSuccess).not.toHaveBeenCalled();

    passwordAnswer = new Response(null, { status: 204 });
    await userEvent.clear(screen.getByLabelText(/^New password/));
    await userEvent.clear(screen.getByLabelText(/^Confirm new password/));
    await enter(/^New password/, 'my own long passphrase');
    await enter(/^Confirm new password/, 'my own long passphrase');
    await pressEnter();

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(fetchCalls(fetchMock)[2]).toMatchObject({
      path: '/v1/auth/password',
      body: {
        currentPassword: 'admin-set password',
        newPassword: 'my own long passphrase',
      },
      headers: { Authorization: `Bearer ${login.accessToken}` },
    });
  });

  it('refuses a confirmation that differs without asking the server', async () => {
    const fetchMock = mockFetch(() =>
      jsonResponse(200, tokenResponse({ passwordChangeRequired: true })),
    );
    await renderPage();
    await fillIn('alice@orch.test', 'admin-set password');
    await pressEnter();
    await screen.findByRole('form', { name: 'Choose a new password' });

    await enter(/^Current password/, 'x');
    await enter(/^New password/, 'one long phrase');
    await enter(/^Confirm new password/, 'another long phrase');
    await pressEnter();

    expect(
      await screen.findByText('The passwords do not match'),
    ).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('resumes a stored session without showing the form', async () => {
    const refreshed = tokenResponse({ remember: true });
    const fetchMock = mockFetch(() => jsonResponse(200, refreshed));
    localStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({
        ...tokenResponse({ remember: true, refreshToken: 'stored-token' }),
        accessIssuedAtMs: Date.now(),
        accessExpiresAtMs: Date.now() + 60_000,
      }),
    );

    const { onSignInSuccess } = await renderPage();

    expect(screen.getByText('Restoring your session…')).toBeInTheDocument();
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(fetchCalls(fetchMock)).toEqual([
      expect.objectContaining({
        path: '/v1/auth/refresh',
        body: { refreshToken: 'stored-token' },
      }),
    ]);
  });

  it('shows the photograph beside the card, credited, with Orch branding', async () => {
    mockFetch(() => jsonResponse(200, tokenResponse()));
    await renderPage();

    const hero = screen.getByTestId('orch-sign-in-hero');
    expect(hero.tagName).toBe('ASIDE');
    expect(hero).toHaveTextContent('Runbooks you can trust in production');
    expect(hero).toHaveTextContent('Photo: “Storm” © Sergey Nazarov');
    // The card holds the only h1 and the form, in the main landmark.
    expect(screen.getByRole('main')).toContainElement(
      screen.getByRole('form', { name: 'Sign in' }),
    );
  });
});
