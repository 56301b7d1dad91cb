import { test, expect, Page } from '@playwright/test';
import { STAFF_PASSWORD, INITIAL_PASSWORD, LAKESIDE, shot, hydrated } from './helpers';

// Each organization's first account has `newhire`, whose initial password must be
// changed at first sign-in; emails go to the development mailbox.
const NEWHIRE_EMAIL = 'newhire@northwind-clients.example';
const CHOSEN = 'Lakeside-Lamp-41';
const AFTER_RESET = 'Harbour-Beacon-77';

async function clientSignIn(page: Page, username: string, password: string) {
  await page.goto('/portal/northwind/sign-in');
  await hydrated(page);
  await page.getByLabel('Identifier', { exact: true }).fill(LAKESIDE);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function staffSignIn(page: Page) {
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await page.getByLabel('Username').fill('214amorgan');
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test('a newcomer replaces the initial password, forgets the new one, and resets it from the emailed link', async ({ page, browser }) => {
  // First sign-in with the initial password: only the password change is open.
  await clientSignIn(page, 'newhire', INITIAL_PASSWORD);
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('heading', { name: 'Choose your own password' })).toBeVisible();
  await hydrated(page);

  // The rules tick off as the user types (in the browser, before any submit).
  const rules = page.locator('.password-rules li');
  await expect(rules).toHaveCount(6);
  await page.getByLabel('New password', { exact: true }).pressSequentially('lakeside');
  await expect(page.locator('.password-rules li.met')).toHaveText([/At least 8 characters/, /username/, /commonly used/]);
  await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
  await expect(page.locator('.password-rules li.met')).toHaveCount(6);
  await shot(page, 'change-password-rules');

  // Anything else sends the user back here.
  await page.goto('/portal/northwind');
  await expect(page).toHaveURL(/\/account\/password$/);
  await hydrated(page);

  // The server enforces the rules too, next to the field.
  await page.getByLabel('Current password').fill(INITIAL_PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill('Password1!');
  await page.getByLabel('Confirm new password').fill('Password1!');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#new_password-error')).toContainText('too common');
  await shot(page, 'change-password-refused');

  await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
  await page.getByLabel('Confirm new password').fill(CHOSEN);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lakeside Towers');

  // Sign out, then "forgot password".
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind\/sign-in$/);
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind\/forgot-password$/);
  await hydrated(page);
  await page.getByLabel('Identifier', { exact: true }).fill(LAKESIDE);
  await page.getByLabel('Email').fill(NEWHIRE_EMAIL);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.getByRole('status')).toContainText('If those details match a login');
  await shot(page, 'forgot-password-sent');

  // A staff member of the organization opens the development mailbox.
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  await staffSignIn(staff);
  await staff.getByRole('link', { name: 'Development mailbox' }).click();
  await expect(staff).toHaveURL(/\/admin\/dev-mailbox$/);
  await expect(staff.getByText('For development only.')).toBeVisible();
  const email = staff
    .locator('article.message')
    .filter({ hasText: NEWHIRE_EMAIL })
    .filter({ hasText: 'Reset your Gatehouse password' })
    .first();
  await expect(email).toBeVisible();
  const href = await email.locator('a[href*="/password/reset?token="]').getAttribute('href');
  expect(href).toBeTruthy();
  await shot(staff, 'dev-mailbox');

  // The newcomer follows the link and chooses a new password.
  await page.goto(href!);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await hydrated(page);
  await shot(page, 'reset-password');
  await page.getByLabel('New password', { exact: true }).fill(AFTER_RESET);
  await page.getByLabel('Confirm new password').fill(AFTER_RESET);
  await page.getByRole('button', { name: 'Save password' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind\/sign-in\?password=set$/);
  await expect(page.getByRole('status')).toContainText('Your password is set');

  // The link is used up; the old password is gone; the new one works.
  await page.goto(href!);
  await expect(page.getByRole('heading', { name: "This link can't be used" })).toBeVisible();
  await clientSignIn(page, 'newhire', CHOSEN);
  await expect(page.locator('.form-alert')).toContainText('not recognised');
  await clientSignIn(page, 'newhire', AFTER_RESET);
  await expect(page).toHaveURL(/\/portal\/northwind$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lakeside Towers');

  // The audit log shows what happened.
  await staff.goto('/admin/audit?action=password_changed');
  await hydrated(staff);
  await expect(staff.getByRole('table', { name: 'Audit events' })).toContainText('Nadia Hirsch');
  await staff.goto('/admin/audit');
  await hydrated(staff);
  await expect(staff.getByRole('table', { name: 'Audit events' })).toContainText('Password set from email link');
  await shot(staff, 'audit-log');
  await staff.getByLabel('Action').selectOption('sign_in_failed');
  await staff.getByRole('button', { name: 'Apply' }).click();
  await expect(staff).toHaveURL(/action=sign_in_failed/);
  await expect(staff.getByRole('table', { name: 'Audit events' })).toContainText('Sign-in refused');
  await staffContext.close();
});

test('forgot identifier and the Admin Portal forgot password answer without telling who exists', async ({ page }) => {
  await page.goto('/portal/northwind/forgot-identifier');
  await hydrated(page);
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByRole('button', { name: 'Email me my identifier' }).click();
  await expect(page.getByRole('status')).toContainText('If those details match a login');
  await shot(page, 'forgot-identifier-sent');

  await page.goto('/admin/forgot-password?org=northwind');
  await hydrated(page);
  await expect(page.getByLabel('Organization')).toHaveValue('northwind');
  await page.getByLabel('Email').fill('ada@northwind');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect(page.locator('#email-error')).toContainText('like name@example.com');
  await shot(page, 'admin-forgot-password-error');
});
