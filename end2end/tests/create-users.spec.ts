import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { STAFF_PASSWORD, shot, hydrated } from './helpers';

// Create Users and the Staff Master (issue 12): a User Administrator pastes
// five people from a spreadsheet (two of them the same person), sees one
// Fail, accepts its suggestion by keyboard, creates the accounts, adds
// their Staff Master records from the shortcut, and one of the new users
// signs in with the initial password and must choose a new one.

const BATCH_PASSWORD = 'Onboard-Batch-7#';
const CHOSEN = 'Harbour-Lantern-58';

async function staffSignIn(page: Page, username: string, password: string) {
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function axe(page: Page, where: string) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const found = result.violations.map((v) => `${where}: ${v.id} ${v.help} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(found, found.join('\n')).toEqual([]);
}

/** Pastes `text` into the focused cell as the clipboard would. */
async function paste(page: Page, selector: string, text: string) {
  await page.locator(selector).evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

test('an administrator creates a pasted batch, fixes the one Fail by keyboard, and adds the Staff Master records', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await staffSignIn(page, '214amorgan', STAFF_PASSWORD);
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole('link', { name: 'People' }).click();
  await page.getByRole('link', { name: 'Create Users' }).click();
  await expect(page).toHaveURL(/\/admin\/people\/create$/);
  await expect(page.getByRole('heading', { name: 'Create Users' })).toBeVisible();
  await hydrated(page);
  await expect(page.locator('.lead')).toContainText('214');
  await axe(page, 'Create Users, empty');

  // Typing: the username appears as the name is typed.
  await page.getByLabel('First name, row 1').fill('Zoë');
  await page.getByLabel('First name, row 1').press('Tab');
  await expect(page.getByLabel('Last name, row 1')).toBeFocused();
  await page.keyboard.type('Ó Brádaigh');
  const grid = page.locator('table.batch-grid tbody');
  await expect(grid.locator('tr').first().locator('td.username')).toHaveText('214zobradaigh');

  // Pasting five lines from a spreadsheet fills five rows from here on.
  await paste(page, '#row-1-first',
    'Quinn\tAbernathy\tquinn.abernathy@example.com\n' +
    'Rosa\tCastellanos\n' +
    'Theo\tVandermeer\n' +
    'Rosa\tCastellanos\trosa.c@example.com\n' +
    'Ümit\tÖzdemir\n');
  const rows = grid.locator('tr');
  // Five people and the blank row to type the next into.
  await expect(rows).toHaveCount(6);
  await expect(page.locator('td.verdict .badge.ok')).toHaveCount(4);
  const fail = rows.nth(3);
  await expect(fail.locator('td.username')).toHaveText('214rcastellanos');
  await expect(fail.locator('td.verdict')).toContainText('Appears twice in this batch.');
  await expect(page.getByRole('button', { name: 'Create Accounts' })).toBeDisabled();

  // The initial password must meet the policy.
  await page.getByLabel('Initial password', { exact: true }).fill('short');
  await expect(page.locator('#batch-password-rules li.met')).not.toHaveCount(6);
  await page.getByLabel('Initial password', { exact: true }).fill(BATCH_PASSWORD);
  await expect(page.getByText('1 row fails: fix it in Validation first.')).toBeVisible();
  await shot(page, 'create-users-fail');
  await axe(page, 'Create Users, a row failing');

  // By keyboard: Enter on the failing row opens the suggestion, Y takes it.
  await page.getByLabel('First name, row 4').focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: /Suggested username for row 4/ });
  await expect(dialog).toContainText('Use 214rcastellanos2 instead?');
  await expect(dialog.getByRole('button', { name: 'Yes' })).toBeFocused();
  await shot(page, 'create-users-suggestion');
  await axe(page, 'Create Users, suggestion open');
  await page.keyboard.press('y');
  await expect(dialog).toHaveCount(0);
  await expect(fail.locator('td.username')).toHaveText('214rcastellanos2');
  await expect(page.locator('td.verdict .badge.ok')).toHaveCount(5);

  // Create: all five, "Account Created" on every row.
  const create = page.getByRole('button', { name: 'Create Accounts' });
  await expect(create).toBeEnabled();
  await create.click();
  await expect(page.locator('td.result .badge.ok')).toHaveCount(5, { timeout: 30_000 });
  await expect(page.locator('td.result').first()).toHaveText('Account Created');
  await expect(page.getByRole('status').filter({ hasText: '5 accounts created.' })).toBeVisible();
  await shot(page, 'create-users-created');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the batch (CSV)' }).click();
  const csv = await (await download).path();
  const text = require('fs').readFileSync(csv, 'utf8');
  expect(text).toContain('Rosa,Castellanos,rosa.c@example.com,214rcastellanos2,Staff,initial password');
  expect(text).not.toContain(BATCH_PASSWORD);

  // Step 2 follows without retyping: one prefilled row per new login.
  await page.getByRole('link', { name: 'Add Staff Master records for these users' }).click();
  await expect(page).toHaveURL(/\/admin\/staff\?new=/);
  await hydrated(page);
  const editor = page.locator('table.staff-editor tbody tr');
  await expect(editor).toHaveCount(5);
  await expect(page.getByLabel('First name, row 1')).toHaveValue('Quinn');
  await expect(page.getByLabel('Login, row 1')).toContainText('214qabernathy');
  const ids = ['E5101', 'E5102', 'E5103', '100', 'E5105'];
  for (let i = 0; i < 5; i++) {
    await page.getByLabel(`Staff ID, row ${i + 1}`).fill(ids[i]);
    await page.getByLabel(`Hire date, row ${i + 1}`).fill('2026-11-30');
  }
  await page.getByRole('button', { name: 'Save records' }).click();
  const fourth = await page.getByLabel('Staff ID, row 4').getAttribute('id');
  await expect(page.locator(`#${fourth}-problem`)).toHaveText('Staff ID 100 is reserved for platform support.');
  await expect(page.getByLabel('Staff ID, row 4')).toHaveAttribute('aria-invalid', 'true');
  await shot(page, 'staff-master-reserved');
  await axe(page, 'Staff Master, a row refused');
  await page.getByLabel('Staff ID, row 4').fill('E5104');
  await page.getByRole('button', { name: 'Save records' }).click();
  await expect(page).toHaveURL(/\/admin\/staff$/);
  await expect(page.getByRole('status').filter({ hasText: 'Saved 5 Staff Master records.' })).toBeVisible();
  const list = page.getByRole('table', { name: 'Staff Master records' });
  await expect(list.getByRole('row', { name: /E5104/ })).toContainText('214rcastellanos2');
  await shot(page, 'staff-master');

  // Sorting and searching keep their state in the address.
  await list.getByRole('link', { name: 'Hire date' }).click();
  await expect(page).toHaveURL(/sort=hired/);
  await expect(page.getByRole('columnheader', { name: /Hire date/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('searchbox', { name: 'Search' }).fill('castellanos');
  await page.getByRole('searchbox', { name: 'Search' }).press('Enter');
  await expect(page).toHaveURL(/q=castellanos/);
  await expect(page.getByRole('table', { name: 'Staff Master records' }).locator('tbody tr')).toHaveCount(2);

  // The People list shows the Staff ID.
  await page.goto('/admin/people?q=castellanos');
  await expect(page.locator('tr[data-user="214rcastellanos2"]')).toContainText('Staff ID E5104');

  // A new user signs in with the initial password and must choose a new one.
  const context = await browser.newContext();
  const newcomer = await context.newPage();
  await staffSignIn(newcomer, '214tvandermeer', BATCH_PASSWORD);
  await expect(newcomer).toHaveURL(/\/account\/password$/);
  await hydrated(newcomer);
  await newcomer.getByLabel('Current password').fill(BATCH_PASSWORD);
  await newcomer.getByLabel('New password', { exact: true }).fill(CHOSEN);
  await newcomer.getByLabel('Confirm new password').fill(CHOSEN);
  await newcomer.getByRole('button', { name: 'Change password' }).click();
  await expect(newcomer).toHaveURL(/\/admin$/);
  await context.close();
});

test('the organization settings show the password policy as users will see it', async ({ page }) => {
  await staffSignIn(page, '214amorgan', STAFF_PASSWORD);
  await expect(page).toHaveURL(/\/admin$/);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/admin\/settings$/);
  await hydrated(page);
  await expect(page.locator('dl.facts')).toContainText('214');
  // Out of range: refused next to the field, nothing changed.
  await page.getByLabel('Minimum length (8 to 128 characters)').fill('6');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#settings-min_length-error')).toContainText('from 8 to 128');
  await axe(page, 'Settings, an error showing');
  await shot(page, 'settings-error');
  // The preview follows the form.
  await page.getByLabel('Minimum length (8 to 128 characters)').fill('12');
  await expect(page.locator('#settings-preview-rules')).toContainText('At least 12 characters');
  await page.getByLabel('A special character, such as ! or #').uncheck();
  await expect(page.locator('#settings-preview-rules')).not.toContainText('special character');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await shot(page, 'settings');
  // Back to the demo's policy.
  await page.getByLabel('Minimum length (8 to 128 characters)').fill('8');
  await page.getByLabel('A special character, such as ! or #').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
});
