import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import path from 'node:path';

/**
 * The first admin: script/test starts the throw-away server with these
 * variables, and the server creates that user. Against a server of your own,
 * set them to an account of yours.
 */
export const admin = {
  email: process.env.ORCH_ADMIN_EMAIL ?? 'admin@orch.test',
  password: process.env.ORCH_ADMIN_PASSWORD ?? '',
};

/** Where the user guide's screenshots live; the test run writes them. */
const IMAGES = path.resolve(__dirname, '..', 'docs', 'images');

/** The viewport of every screenshot, so that the guide's images match. */
export const SCREENSHOT_VIEWPORT = { width: 1440, height: 900 };

export async function submitSignIn(
  page: Page,
  credentials: { email: string; password: string },
) {
  await page.goto('/');
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the page and waits for the dashboard. */
export async function signIn(
  page: Page,
  credentials: { email: string; password: string } = admin,
) {
  expect(credentials.password, 'ORCH_ADMIN_PASSWORD is not set').not.toBe('');
  await submitSignIn(page, credentials);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Dashboard' }),
  ).toBeVisible();
}

/** A full-page screenshot for the user guide, `docs/images/<name>.png`. */
export async function screenshotForGuide(page: Page, name: string) {
  // Nothing may still be moving or passing: toasts, the focus ring, the caret.
  await page
    .locator('[class*="Toast_"]')
    .first()
    .waitFor({ state: 'detached', timeout: 15_000 })
    .catch(() => undefined);
  await page.evaluate(() => (document.activeElement as HTMLElement)?.blur());
  await page.screenshot({
    path: path.join(IMAGES, `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
  });
}

/**
 * axe-core on the page as it is: no violation of impact serious or
 * critical (WCAG 2.1 A and AA rules and best practices).
 */
export async function expectNoSeriousA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    // Backstage's own toasts (@backstage/ui) show in the inverted theme, whose
    // success green on light grey is 2.6:1: not Orch's markup to fix.
    .exclude('[class*="Toast_"]')
    .analyze();
  const serious = results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({
        target: n.target.join(' '),
        html: n.html.slice(0, 200),
        summary: n.failureSummary?.slice(0, 300),
      })),
    }));
  expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
}

/** Orch's API as a given user: a bearer token from the sign-in API. */
export async function apiAs(
  request: APIRequestContext,
  credentials: { email: string; password: string },
) {
  const login = await request.post('/api/orch/v1/auth/login', {
    data: { ...credentials, remember: false },
  });
  expect(login.status(), await login.text()).toBe(200);
  const body = await login.json();
  const headers = { Authorization: `Bearer ${body.accessToken}` };
  return {
    body,
    headers,
    get: (url: string) => request.get(`/api/orch${url}`, { headers }),
    post: (url: string, data?: unknown) =>
      request.post(`/api/orch${url}`, { headers, data }),
  };
}

/**
 * A user with the given roles, created by the admin through the users API,
 * whose one-time password has been replaced (as the sign-in page would ask)
 * so that the browser can sign in straight away.
 */
export async function createUser(
  request: APIRequestContext,
  roles: string[],
): Promise<{ email: string; password: string }> {
  const api = await apiAs(request, admin);
  const email = `${roles.join('-')}-${Date.now()}@orch.test`;
  const oneTime = `one-time-${Math.random().toString(36).slice(2)}-pass`;
  const created = await api.post('/v1/users', {
    email,
    displayName: `E2E ${roles.join(' ')}`,
    roles,
    password: oneTime,
  });
  expect(created.status(), await created.text()).toBe(201);
  const password = `e2e-${Math.random().toString(36).slice(2)}-own-pass`;
  const user = await apiAs(request, { email, password: oneTime });
  const changed = await user.post('/v1/auth/password', {
    currentPassword: oneTime,
    newPassword: password,
  });
  expect(changed.status(), await changed.text()).toBe(204);
  return { email, password };
}
