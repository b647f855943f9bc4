import { test, expect, type Page } from '@playwright/test';

/**
 * The first admin: script/test starts the throw-away server with these
 * variables, and the server creates that user. Against a server of your own,
 * set them to an account of yours.
 */
const admin = {
  email: process.env.ORCH_ADMIN_EMAIL ?? 'admin@orch.test',
  password: process.env.ORCH_ADMIN_PASSWORD ?? '',
};

async function submitSignIn(page: Page, password: string) {
  await page.goto('/');
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signIn(page: Page) {
  expect(admin.password, 'ORCH_ADMIN_PASSWORD is not set').not.toBe('');
  await submitSignIn(page, admin.password);
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('the portal loads and shows the Orch page with live health', async ({
  page,
}) => {
  await signIn(page);

  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByText('Ready to run jobs')).toBeVisible();
  for (const check of ['Database: ok', 'Queue (Redis): ok', 'Workers: ok']) {
    await expect(page.getByText(check)).toBeVisible();
  }
  await page.screenshot({
    path: '.orch/test/e2e-output/orch-page.png',
    fullPage: true,
  });
});

test('a reload resumes the session without the sign-in form', async ({
  page,
}) => {
  await signIn(page);

  await page.reload();

  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
});

test('a wrong password shows the error and keeps the sign-in form', async ({
  page,
}) => {
  await submitSignIn(page, `${admin.password}-wrong`);

  await expect(page.getByRole('alert')).toHaveText('Invalid email or password');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await page.screenshot({
    path: '.orch/test/e2e-output/sign-in-error.png',
    fullPage: true,
  });
});
