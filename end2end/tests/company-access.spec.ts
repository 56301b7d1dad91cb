import { test, expect, Page } from '@playwright/test';
import { CLIENT_PASSWORD, STAFF_PASSWORD, shot, hydrated } from './helpers';

// Company Access: a User Administrator links a Claims Rep Manager to client
// accounts one at a time and unlinks one with the red ✕; the rep manager
// then signs in once and switches between the accounts.
// Demo data: Tariq Haddad (`tariq`) is a Claims Rep Manager of Rivermont
// Adjusters (identifier 2895550388) with no Company Access yet.
const RIVERMONT = '2895550388';

async function staffSignIn(page: Page) {
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await page.getByLabel('Username').fill('214amorgan');
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test('an administrator links companies to a rep manager, who then switches between them', async ({ page, browser }) => {
  await staffSignIn(page);
  await page.goto('/admin/people?side=clients');
  await hydrated(page);
  await page.getByLabel('Name').fill('Tariq Haddad');
  await page.getByLabel('Role').selectOption({ label: 'Claims Rep Manager' });
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/role=claims_rep_manager/);
  const rows = page.getByRole('table', { name: 'Client logins' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('link', { name: 'Tariq Haddad' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tariq Haddad' })).toBeVisible();
  await hydrated(page);

  // Link two companies, one at a time.
  const access = page.getByRole('region', { name: 'Company Access' });
  for (const company of ['Lakeside Towers', 'Eastgate Property Management']) {
    await access.getByLabel('Company', { exact: true }).selectOption({ label: company });
    await access.getByRole('button', { name: 'Link Company' }).click();
    await expect(access.getByRole('list', { name: 'Linked companies' })).toContainText(company);
  }
  await shot(page, 'person-company-access');
  // The red ✕ unlinks one.
  await access.getByRole('button', { name: 'Unlink Eastgate Property Management' }).click();
  await expect(access.getByRole('list', { name: 'Linked companies' })).not.toContainText('Eastgate');
  await expect(access.getByRole('list', { name: 'Linked companies' })).toContainText('Lakeside Towers');
  await access.getByLabel('Company', { exact: true }).selectOption({ label: 'Maple Row Condominiums' });
  await access.getByRole('button', { name: 'Link Company' }).click();
  await expect(access.getByRole('list', { name: 'Linked companies' })).toContainText('Maple Row Condominiums');
  // History shows what was done and by whom.
  await expect(page.getByRole('region', { name: 'History', exact: true })).toContainText('Company Access removed');
  await page.getByRole('link', { name: 'Save & Close' }).click();
  await expect(page).toHaveURL(/\/admin\/people/);

  // The rep manager signs in once and switches accounts.
  const rep = await browser.newPage();
  await rep.goto('/portal/northwind/sign-in');
  await hydrated(rep);
  await rep.getByLabel('Identifier', { exact: true }).fill(RIVERMONT);
  await rep.getByLabel('Username').fill('tariq');
  await rep.getByLabel('Password', { exact: true }).fill(CLIENT_PASSWORD);
  await rep.getByRole('button', { name: 'Sign in' }).click();
  await expect(rep).toHaveURL(/\/portal\/northwind$/);
  await expect(rep.getByRole('heading', { level: 1 })).toContainText('Rivermont Adjusters');
  await hydrated(rep);
  const switcher = rep.getByRole('form', { name: 'Switch account' });
  await switcher.getByLabel('Account').selectOption({ label: 'Lakeside Towers' });
  await switcher.getByRole('button', { name: 'Switch' }).click();
  await expect(rep.getByRole('heading', { level: 1 })).toContainText('Lakeside Towers');
  await shot(rep, 'portal-rep-manager-switched');
  await switcher.getByLabel('Account').selectOption({ label: 'Maple Row Condominiums' });
  await switcher.getByRole('button', { name: 'Switch' }).click();
  await expect(rep.getByRole('heading', { level: 1 })).toContainText('Maple Row Condominiums');
  await rep.close();
});
