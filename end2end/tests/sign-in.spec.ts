import { test, expect } from '@playwright/test';
import { STAFF_PASSWORD, CLIENT_PASSWORD, LAKESIDE, shot, hydrated } from './helpers';

test('the start page points staff and clients to their portals', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Who signs in');
  await expect(page.getByRole('link', { name: 'Sign in to the Admin Portal' })).toBeVisible();
  await shot(page, 'home');
});

test('an unknown address shows a page-not-found page', async ({ page }) => {
  const res = await page.goto('/no/such/page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await shot(page, 'not-found');
});

test('staff sign in to the Admin Portal and sign out', async ({ page }) => {
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await expect(page.getByLabel('Organization')).toHaveValue('northwind');
  await shot(page, 'admin-sign-in');
  await page.getByLabel('Username').fill('214amorgan');
  await page.getByLabel('Password').fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Alice J. Morgan' })).toBeVisible();
  await expect(page.locator('.topbar-org')).toHaveText('Northwind Security');
  await shot(page, 'admin-home');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/admin\/sign-in\?org=northwind$/);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/sign-in$/);
});

test('a wrong password is announced on the form without a page load (hydrated)', async ({ page }) => {
  await page.goto('/admin/sign-in');
  await hydrated(page);
  await page.getByLabel('Organization').fill('northwind');
  await page.getByLabel('Username').fill('214amorgan');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.locator('.form-alert');
  await expect(alert).toContainText('not recognised');
  // Handled in place by the hydrated form: no navigation back with an error in the URL.
  expect(page.url()).not.toContain('__err');
  await shot(page, 'admin-sign-in-error');
});

test('a client signs in with identifier, username and password, and the device remembers the identifier', async ({ page }) => {
  await page.goto('/portal/northwind/sign-in');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Northwind Security Client Portal');
  await page.getByLabel('Identifier', { exact: true }).fill(LAKESIDE);
  await page.getByLabel('Remember identifier on this device').check();
  await page.getByLabel('Username').fill('manager');
  await page.getByLabel('Password').fill(CLIENT_PASSWORD);
  await shot(page, 'portal-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lakeside Towers');
  await expect(page.locator('code.identifier')).toHaveText(LAKESIDE);
  await shot(page, 'portal-home');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/portal\/northwind\/sign-in$/);
  // A fresh visit: the remembered identifier is filled in from this device's storage.
  await page.goto('/portal/northwind/sign-in');
  await hydrated(page);
  await expect(page.getByLabel('Identifier', { exact: true })).toHaveValue(LAKESIDE);
  await expect(page.getByLabel('Remember identifier on this device')).toBeChecked();
  await page.getByLabel('Username').fill('office');
  await page.getByLabel('Password').fill(CLIENT_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Office Staff', { exact: true })).toBeVisible();
  // The other organization's portal does not accept this session.
  await page.goto('/portal/harbour');
  await expect(page).toHaveURL(/\/portal\/harbour\/sign-in$/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('both sign-ins work as plain HTML form posts', async ({ page }) => {
    await page.goto('/admin/sign-in');
    await page.getByLabel('Organization').fill('harbour');
    await page.getByLabel('Username').fill('317bchen');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('.form-alert')).toContainText('not recognised');
    await page.getByLabel('Organization').fill('harbour');
    await page.getByLabel('Username').fill('317bchen');
    await page.getByLabel('Password').fill(STAFF_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole('heading', { name: 'Welcome, Ben Chen' })).toBeVisible();

    await page.goto('/portal/harbour/sign-in');
    await page.getByLabel('Identifier', { exact: true }).fill('9025550110');
    await page.getByLabel('Username').fill('manager');
    await page.getByLabel('Password').fill(CLIENT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/portal\/harbour$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bayview Dental Clinic');
  });
});
