import { test, expect } from '@playwright/test';
import {
  admin,
  apiAs,
  expectNoSeriousA11yViolations,
  SCREENSHOT_VIEWPORT,
  signIn,
} from './support';

test.use({ viewport: SCREENSHOT_VIEWPORT });

test('the job page of a finished job is accessible', async ({
  page,
  request,
}) => {
  const api = await apiAs(request, admin);
  const started = await api.post('/v1/runbooks/hello/execute', {
    inputs: { message: 'accessible job page', count: 2 },
    environment: 'stage',
  });
  expect(started.status(), await started.text()).toBe(202);
  const { jobId } = await started.json();

  await signIn(page);
  await page.goto(`/jobs/${jobId}`);
  await expect(page.getByTestId('job-status').first()).toHaveText(/Success/i, {
    timeout: 60_000,
  });
  await expect(
    page
      .getByRole('region', { name: 'Job log' })
      .getByText('accessible job page')
      .first(),
  ).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});
