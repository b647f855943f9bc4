import { test, expect } from '@playwright/test';

test('the portal loads and shows the Orch page with live health', async ({ page }) => {
  await page.goto('/');
  // Embedded defaults sign in as a guest until password sign-in lands.
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'Catalog', exact: true })).toBeVisible();

  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByText('Ready to run jobs')).toBeVisible();
  for (const check of ['Database: ok', 'Queue (Redis): ok', 'Workers: ok']) {
    await expect(page.getByText(check)).toBeVisible();
  }
  await page.screenshot({ path: '.orch/test/e2e-output/orch-page.png', fullPage: true });
});
