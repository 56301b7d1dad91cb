import { test, expect, Page } from '@playwright/test';
import { STAFF_PASSWORD, shot, hydrated } from './helpers';

// The security-company story end to end: staff create a client account and its
// Account Manager, emulate them to set up an office staff user who may modify but
// not delete, and that user edits a report at the Client Portal.
const MANAGER_INITIAL = 'Harbour-Keys-2026';
const OFFICE_INITIAL = 'Office-Start-2026';
const OFFICE_CHOSEN = 'Quay-Lantern-58';

async function staffSignIn(page: Page) {
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await page.getByLabel('Username').fill('214amorgan');
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test('staff set up an account, emulate its Account Manager, and office staff edit a report without delete rights', async ({ page, browser }) => {
  await staffSignIn(page);
  await page.getByRole('link', { name: 'Client accounts' }).click();
  await expect(page).toHaveURL(/\/admin\/accounts$/);
  await expect(page.getByRole('table', { name: 'Client accounts' })).toContainText('Lakeside Towers');
  await hydrated(page);
  await shot(page, 'accounts-table');

  // Create the account: its identifier defaults to the phone's digits.
  await page.getByRole('link', { name: 'New account' }).click();
  await hydrated(page);
  await shot(page, 'account-new');
  await page.getByLabel('Name').fill('Harbour Point Condos');
  await page.getByLabel('Main phone').fill('(647) 555-0177');
  await page.getByLabel('Address').fill('12 Quay Street\nToronto ON M5J 2N8');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/admin\/accounts\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Harbour Point Condos' })).toBeVisible();
  await expect(page.locator('code.identifier')).toHaveText('6475550177');
  await hydrated(page);
  await shot(page, 'account-page');
  const accountUrl = page.url();

  // Another account's identifier is refused next to the field, and nothing changes.
  await page.locator('summary', { hasText: 'Change identifier' }).click();
  await page.getByLabel('New identifier').fill('4165550142');
  await page.getByRole('form', { name: 'Change identifier' }).getByRole('button', { name: 'Change identifier' }).click();
  await expect(page.locator('#identifier-error')).toContainText('already has this identifier');
  await expect(page.getByLabel('New identifier')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('New identifier')).toHaveValue('4165550142');
  await expect(page.locator('code.identifier')).toHaveText('6475550177');
  await shot(page, 'account-identifier-refused');

  // The table finds it by a piece of its phone number.
  await page.goto('/admin/accounts?q=647-555');
  await expect(page.getByRole('table', { name: 'Client accounts' }).locator('tbody tr')).toHaveCount(1);
  await page.getByRole('link', { name: 'Harbour Point Condos' }).click();
  await expect(page).toHaveURL(accountUrl);

  // Its Account Manager: a login with an initial password.
  await page.getByRole('link', { name: 'Account Manager' }).click();
  await expect(page).toHaveURL(/\/account-manager$/);
  await hydrated(page);
  await page.getByLabel('First name').fill('Harper');
  await page.getByLabel('Last name').fill('Quinn');
  await page.getByLabel('Username').fill('hquinn');
  await page.getByLabel('Initial password', { exact: true }).fill(MANAGER_INITIAL);
  await page.getByLabel('Initial password again').fill(MANAGER_INITIAL);
  await page.getByRole('button', { name: 'Create login' }).click();
  await expect(page.getByText('Login created.')).toBeVisible();
  await expect(page.locator('.manager-name')).toHaveText('Harper Quinn');
  await shot(page, 'account-manager-page');

  // Emulate: the Client Portal as the Account Manager sees it, with the banner.
  await page.getByRole('button', { name: 'Emulate' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind$/);
  const banner = page.locator('.emulation-banner');
  await expect(banner).toContainText('You are emulating Harper Quinn of Harbour Point Condos');
  await expect(banner.getByRole('button', { name: 'Stop emulating' })).toBeVisible();
  await hydrated(page);
  await shot(page, 'emulation-portal');

  // The Admin Portal waits until the emulation stops, and says how to stop it.
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'You are emulating an Account Manager' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('You are emulating Harper Quinn of Harbour Point Condos');
  await expect(page.getByRole('button', { name: 'Stop emulating' })).toBeVisible();
  await shot(page, 'emulation-admin-refused');
  await page.goto('/portal/northwind');
  await hydrated(page);

  // A report for the account, recorded as the staff member acting for the manager.
  await page.getByText('Add a report').click();
  await page.getByLabel('Title', { exact: true }).fill('Night patrol log');
  await page.getByLabel('Report', { exact: true }).fill('Gate 3 found open at 02:10; closed and locked.');
  await page.getByRole('button', { name: 'Add report' }).click();
  const reportRow = page.locator('table.documents tbody tr', { hasText: 'Night patrol log' });
  await expect(reportRow.locator('.created-by')).toHaveText('Alice J. Morgan as Harper Quinn');

  // A PDF upload shows its progress and lands in the list.
  await page.getByText('Upload a PDF').click();
  await page.getByLabel('Issue date').fill('2026-11-01');
  await page.getByLabel('Business purpose').fill('Renewal');
  await page.getByLabel('Document type').fill('Certificate of insurance');
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3 * 1024 * 1024, 0x20), Buffer.from('\n%%EOF\n')]);
  await page.getByLabel(/PDF file/).setInputFiles({ name: 'Certificate 2026.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.getByRole('button', { name: 'Upload PDF' }).click();
  await expect(page.getByText('The PDF was uploaded.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Upload a PDF' })).toBeHidden();
  await expect(page.locator('table.documents')).toContainText('Certificate 2026.pdf');
  await shot(page, 'documents-after-upload');

  // Office staff who may modify but not delete.
  await page.getByRole('link', { name: 'Manage office staff' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind\/office-staff$/);
  await expect(banner).toBeVisible();
  await hydrated(page);
  await page.getByLabel('First name').fill('Olive');
  await page.getByLabel('Last name').fill('Reyes');
  await page.getByLabel('Username').fill('oreyes');
  await page.getByLabel('Initial password', { exact: true }).fill(OFFICE_INITIAL);
  await page.getByLabel('Initial password again').fill(OFFICE_INITIAL);
  await page.getByLabel('May modify documents').check();
  await page.getByRole('button', { name: 'Create user' }).click();
  const oliveRow = page.locator('tr[data-user="oreyes"]');
  await expect(oliveRow).toBeVisible();
  await expect(oliveRow.getByLabel('May modify')).toBeChecked();
  await expect(oliveRow.getByLabel('May delete')).not.toBeChecked();
  await expect(oliveRow.locator('.activity-by')).toHaveText('Alice J. Morgan as Harper Quinn');
  await shot(page, 'office-staff');

  // Stop emulating: back on the account's Account Manager page, as staff.
  await banner.getByRole('button', { name: 'Stop emulating' }).click();
  await expect(page).toHaveURL(/\/admin\/accounts\/\d+\/account-manager$/);
  await expect(page.locator('.emulation-banner')).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Office staff' })).toContainText('oreyes');
  const identifier = (await page.locator('code.identifier').first().textContent())!.trim();

  // The office staff user signs in with the identifier and chooses a password.
  const context = await browser.newContext();
  const office = await context.newPage();
  await office.goto('/portal/northwind/sign-in');
  await hydrated(office);
  await office.getByLabel('Identifier', { exact: true }).fill(identifier);
  await office.getByLabel('Username').fill('oreyes');
  await office.getByLabel('Password', { exact: true }).fill(OFFICE_INITIAL);
  await office.getByRole('button', { name: 'Sign in' }).click();
  await expect(office).toHaveURL(/\/account\/password$/);
  await hydrated(office);
  await office.getByLabel('Current password').fill(OFFICE_INITIAL);
  await office.getByLabel('New password', { exact: true }).fill(OFFICE_CHOSEN);
  await office.getByLabel('Confirm new password').fill(OFFICE_CHOSEN);
  await office.getByRole('button', { name: 'Change password' }).click();
  await expect(office).toHaveURL(/\/portal\/northwind$/);
  await hydrated(office);

  // They edit the report; the list shows them as its last modifier, and no delete control.
  const row = office.locator('table.documents tbody tr', { hasText: 'Night patrol log' });
  await row.getByText('Edit').click();
  await row.getByLabel('Report', { exact: true }).fill('Gate 3 found open at 02:10; closed, locked, and reported to the owner.');
  await row.getByRole('button', { name: 'Save changes' }).click();
  await expect(row.locator('.modified-by')).toHaveText('Olive Reyes');
  await expect(row.getByRole('button', { name: 'Save changes' })).toBeHidden();
  await expect(row).toContainText('reported to the owner');
  await expect(office.locator('table.documents').getByText('Delete')).toHaveCount(0);
  await expect(office.getByRole('link', { name: 'Manage office staff' })).toHaveCount(0);
  await shot(office, 'office-staff-edited-report');
  await context.close();
});
