import { test, expect, Page } from '@playwright/test';
import { STAFF_PASSWORD, shot, hydrated } from './helpers';

// The People directory: a User Administrator finds staff logins, sorts and
// filters them, and disables one from its row menu by keyboard; the row's
// Description then says what was done and by whom.

async function staffSignIn(page: Page) {
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await page.getByLabel('Username').fill('214amorgan');
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test('a User Administrator filters, sorts and disables a staff login by keyboard', async ({ page }) => {
  await staffSignIn(page);
  await page.getByRole('link', { name: 'People' }).click();
  await expect(page).toHaveURL(/\/admin\/people$/);
  const table = page.getByRole('table', { name: 'Staff logins' });
  await expect(table.locator('tbody tr')).toHaveCount(50);
  await expect(page.getByRole('status').filter({ hasText: 'active logins match' })).toBeVisible();
  await hydrated(page);
  await shot(page, 'people-staff');

  // Sorting by a header puts the sort in the address and announces it.
  await table.getByRole('link', { name: 'Last name' }).click();
  await expect(page).toHaveURL(/sort=last/);
  await expect(page.getByRole('columnheader', { name: /Last name/ })).toHaveAttribute('aria-sort', 'ascending');

  // Pick a plain Staff login of the demo directory and find it by name.
  const victim = page.getByRole('table', { name: 'Staff logins' }).locator('tbody tr')
    .filter({ has: page.getByRole('cell', { name: 'Staff', exact: true }) })
    .filter({ hasNotText: '(you)' }).first();
  const username = (await victim.getAttribute('data-user'))!;
  const fullName = (await victim.locator('th').innerText()).trim();
  await page.getByLabel('Name').fill(fullName);
  await page.getByLabel('Name').press('Enter');
  await expect(page).toHaveURL(/q=/);
  const row = page.locator(`tr[data-user="${username}"]`);
  await expect(row).toBeVisible();
  await hydrated(page);

  // Right-click opens the row's menu, as in the desktop tools.
  await row.locator('th').click({ button: 'right' });
  await expect(row.locator('details.row-menu')).toHaveAttribute('open', '');
  await shot(page, 'people-row-menu');
  await row.locator('summary', { hasText: 'Actions' }).click();
  await expect(row.locator('details.row-menu')).not.toHaveAttribute('open', '');

  // By keyboard: focus Actions, open it, tab to Disable, press Enter.
  await row.locator('summary', { hasText: 'Actions' }).focus();
  await page.keyboard.press('Enter');
  await expect(row.locator('details.row-menu')).toHaveAttribute('open', '');
  await page.keyboard.press('Tab');
  await expect(row.getByRole('button', { name: 'Disable' })).toBeFocused();
  await page.keyboard.press('Enter');

  // A disabled login leaves the default (live logins only) list…
  await expect(row).toHaveCount(0);
  // …and shows with Show disabled users, with who did it.
  await page.getByLabel('Show disabled users').check();
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/disabled=1/);
  await expect(row.locator('.badge')).toHaveText('Disabled');
  await expect(row.locator('td.description')).toContainText(/^Disabled · .+ · by Alice J\. Morgan$/);
  await shot(page, 'people-disabled');

  // Enable it again from the same menu (the demo stays as it was).
  await row.locator('summary', { hasText: 'Actions' }).click();
  await row.getByRole('button', { name: 'Enable' }).click();
  await expect(row.locator('.badge')).toHaveText('Active');
  await expect(row.locator('td.description')).toContainText(/^Enabled · .+ · by Alice J\. Morgan$/);

  // The other side: client logins with their account.
  await page.getByRole('link', { name: 'Clients' }).click();
  const clients = page.getByRole('table', { name: 'Client logins' });
  await expect(clients.getByRole('columnheader', { name: 'Account' })).toBeVisible();
  await expect(page).toHaveURL(/side=clients/);
  await expect(clients.locator('tbody tr').first().locator('code.identifier')).toBeVisible();
  await hydrated(page);
  await shot(page, 'people-clients');
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'people-clients-phone');
});
