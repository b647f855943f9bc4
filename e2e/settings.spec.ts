import { test, expect } from '@playwright/test';
import { admin, apiAs, SCREENSHOT_VIEWPORT, signIn } from './support';

test.use({ viewport: SCREENSHOT_VIEWPORT });

test('a connection is created from its schema form, its secret never comes back, and an edit without it keeps it', async ({
  page,
  request,
}) => {
  const name = `cf-e2e-${Date.now()}`;
  const token = `cf-token-${Math.random().toString(36).slice(2)}-WXYZ`;
  await signIn(page);
  await page.goto('/settings?tab=connections');

  await page.getByRole('button', { name: 'New connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.locator('#orch-connection-type').click();
  await page.getByRole('option', { name: 'cloudflare' }).click();
  await dialog.getByLabel(/^Name/).fill(name);
  await dialog.locator('#orch-connection-environment').click();
  await page.getByRole('option', { name: 'stage' }).click();
  const secret = dialog.getByLabel(/^api_token/);
  await expect(secret).toHaveAttribute('type', 'password');
  await secret.fill(token);
  await dialog.getByLabel(/^account_id/).fill('account-1');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row.getByText('api_token: Set, ends in WXYZ')).toBeVisible();
  expect(await page.content()).not.toContain(token);

  // Edit: the secret field starts empty; saving without it keeps it.
  await row.getByRole('button', { name: `Edit ${name}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${name}` });
  await expect(edit.getByLabel(/^api_token/)).toHaveValue('');
  await expect(edit.getByLabel(/^account_id/)).toHaveValue('account-1');
  await edit.getByLabel(/^account_id/).fill('account-2');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toBeHidden();

  const api = await apiAs(request, admin);
  const list = await (
    await api.get('/v1/connections?environment=stage')
  ).json();
  const saved = list.items.find((c: { name: string }) => c.name === name);
  expect(saved.config.account_id).toBe('account-2');
  expect(saved.secrets.api_token).toEqual({ set: true, last4: 'WXYZ' });
  expect(JSON.stringify(list)).not.toContain(token);

  // And it goes away again.
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(row).toHaveCount(0);
});
