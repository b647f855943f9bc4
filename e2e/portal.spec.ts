import { test, expect } from '@playwright/test';
import {
  admin,
  expectNoSeriousA11yViolations,
  screenshotForGuide,
  SCREENSHOT_VIEWPORT,
  signIn,
  submitSignIn,
} from './support';

test.use({ viewport: SCREENSHOT_VIEWPORT });

test('the sign-in page: photograph and card, accessible', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('orch-sign-in-hero')).toBeVisible();
  await expect(page.getByText('Forgot password?')).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'sign-in');
});

test('on a phone the photograph gives way to the card', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByTestId('orch-sign-in-hero')).toBeHidden();
});

test('a wrong password shows the error and keeps the sign-in form', async ({
  page,
}) => {
  await submitSignIn(page, { ...admin, password: `${admin.password}-wrong` });

  await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
});

test('sign-in lands on the dashboard, whose widgets are live and accessible', async ({
  page,
}) => {
  await signIn(page);

  for (const name of [
    'Running now',
    'Failures in the last 24 h',
    'Containers in error',
    'Recent jobs',
    'Platform health',
  ]) {
    await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
  }
  const health = page.getByTestId('dashboard-health');
  await expect(health.getByText('Ready to run jobs')).toBeVisible();
  for (const check of ['Database: ok', 'Queue (Redis): ok', 'Workers: ok']) {
    await expect(health.getByText(check)).toBeVisible();
  }
  // The sidebar and the top bar of the shell.
  for (const link of ['Dashboard', 'Catalog', 'Settings']) {
    await expect(
      page.getByRole('link', { name: link, exact: true }),
    ).toBeVisible();
  }
  await expect(page.getByLabel('Environment').first()).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'dashboard');
});

test('keyboard: the first Tab offers "Skip to content", which moves focus to the page', async ({
  page,
}) => {
  await signIn(page);
  await page.evaluate(() => (document.activeElement as HTMLElement)?.blur());
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#orch-main-content')).toBeFocused();
  // The next Tab stops inside the page, not in the sidebar.
  await page.keyboard.press('Tab');
  expect(
    await page.evaluate(
      () => !!document.activeElement?.closest('#orch-main-content'),
    ),
  ).toBe(true);
});

test('a reload resumes the session without the sign-in form', async ({
  page,
}) => {
  await signIn(page);

  await page.reload();

  await expect(
    page.getByRole('heading', { level: 1, name: 'Dashboard' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
});

test('the environment selector is remembered', async ({ page }) => {
  await signIn(page);
  const selector = page.locator('#orch-environment');
  await selector.click();
  await page.getByRole('option', { name: 'prod' }).click();
  await expect(page.getByText(/What is happening in prod/)).toBeVisible();
  await page.reload();
  await expect(page.getByText(/What is happening in prod/)).toBeVisible();
  expect(
    await page.evaluate(() => localStorage.getItem('orch.environment')),
  ).toBe('prod');
});

test('the user menu shows who is signed in and signs out', async ({ page }) => {
  await signIn(page);
  await page.locator('#orch-user-menu-button').click();
  const menu = page.getByRole('menu');
  await expect(
    menu.getByLabel('Roles').getByText('Administrator'),
  ).toBeVisible();
  await expect(
    menu.getByRole('menuitem', { name: 'Change password' }),
  ).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('settings: an administrator sees every section, in English or Portuguese', async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  for (const tab of [
    'Preferences',
    'Connections',
    'Users and roles',
    'Audit log',
  ]) {
    await expect(page.getByRole('tab', { name: tab })).toBeVisible();
  }
  await page.getByRole('tab', { name: 'Users and roles' }).click();
  await expect(
    page.getByRole('cell', { name: /^admin@orch\.test/ }),
  ).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'settings-users');

  await page.getByRole('tab', { name: 'Preferences' }).click();
  // Light is as readable as dark.
  await page.getByRole('button', { name: 'Light' }).click();
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByText('Ready to run jobs')).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('button', { name: 'Dark' }).click();
  expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('dark');

  await page.locator('#orch-language').click();
  await page.getByRole('option', { name: 'Português (Brasil)' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Configurações' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Painel', exact: true }),
  ).toBeVisible();
  await page.locator('#orch-language').click();
  await page.getByRole('option', { name: 'English' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Settings' }),
  ).toBeVisible();
});
