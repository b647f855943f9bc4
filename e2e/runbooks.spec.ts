import { test, expect } from '@playwright/test';
import {
  apiAs,
  createUser,
  expectNoSeriousA11yViolations,
  screenshotForGuide,
  SCREENSHOT_VIEWPORT,
  signIn,
} from './support';

test.use({ viewport: SCREENSHOT_VIEWPORT });

test('execute hello from its form, land on the job page, follow the log live to SUCCESS', async ({
  page,
}) => {
  // A real ansible-runner job, and the pictures of three pages.
  test.setTimeout(120_000);
  await signIn(page);
  await page.getByRole('link', { name: 'Runbooks', exact: true }).click();
  await expect(page).toHaveURL(/\/runbooks$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Runbooks' }),
  ).toBeVisible();
  await expect(page.getByLabel('Execute Hello')).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  await page.getByLabel('Execute Hello').click();
  await expect(page).toHaveURL(/\/runbooks\/hello\/execute$/);
  await page.locator('#orch-execute-environment').click();
  await page.getByRole('option', { name: 'stage' }).click();
  const message = `hello from the e2e test ${Date.now()}`;
  await page.getByLabel(/^Message/).fill(message);
  await page.getByLabel(/^Count/).fill('3');
  await screenshotForGuide(page, 'runbook-form');
  await expectNoSeriousA11yViolations(page);

  await page.getByRole('button', { name: 'Run', exact: true }).click();

  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  const log = page.getByRole('region', { name: 'Job log' });
  // The lines arrive while the job runs: the message is printed three times.
  await expect(log.getByText(message).first()).toBeVisible();
  await expect(page.getByTestId('job-status').first()).toHaveText(/Success/i, {
    timeout: 60_000,
  });
  await expect(log.getByText(message)).not.toHaveCount(0);
  await screenshotForGuide(page, 'job-page');

  // The dashboard now has a job to show: its picture for the guide.
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(
    page
      .getByTestId('dashboard-recent')
      .getByRole('link', { name: 'hello' })
      .first(),
  ).toBeVisible();
  await screenshotForGuide(page, 'dashboard');
});

test('a viewer sees no Execute button and the server refuses to run for them', async ({
  page,
  request,
}) => {
  const viewer = await createUser(request, ['viewer']);
  await signIn(page, viewer);

  await page.getByRole('link', { name: 'Runbooks', exact: true }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Runbooks' }),
  ).toBeVisible();
  await expect(page.getByText('Hello', { exact: true }).first()).toBeVisible();
  await expect(page.getByLabel(/^Execute /)).toHaveCount(0);

  // Straight to the form: it says why instead of offering to run.
  await page.goto('/runbooks/hello/execute');
  await expect(
    page.getByRole('button', { name: 'Run', exact: true }),
  ).toHaveCount(0);

  // And the API refuses, whatever the page shows.
  const api = await apiAs(request, viewer);
  const refused = await api.post('/v1/runbooks/hello/execute', {
    inputs: { message: 'nope' },
    environment: 'stage',
  });
  expect(refused.status()).toBe(403);
});
