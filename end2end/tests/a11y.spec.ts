import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { hydrated, shot } from './helpers';
import { PAGES, contextFor } from './pages';

// Accessibility (issue 13): axe-core's WCAG 2.1 A and AA rules on every page,
// in the states users meet them: as loaded, with every disclosure open,
// with forms showing their errors, and while staff emulate an Account
// Manager. Zero violations; any violation fails the run with its rule, the
// elements and the page. The pages must also fit a 360 px wide screen
// without scrolling sideways (tables scroll inside their own region).

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function axe(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations.map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n    ')}`,
  );
}

/** Opens every closed `<details>` on the page, as a user clicking each
 * disclosure would. */
async function openAllDisclosures(page: Page) {
  // Visible ones only (a disclosure inside a closed one shows once its
  // parent opens); each click reveals at most a few more.
  const closed = page.locator('details:not([open]) > summary:visible');
  for (let guard = 0; guard < 250 && (await closed.count()) > 0; guard++) {
    await closed.first().click();
  }
  expect(await closed.count(), 'every visible disclosure opened').toBe(0);
}

test('every page passes axe as loaded and with its disclosures open, at desktop and phone width', async ({ browser, baseURL }) => {
  // About 2.6 minutes for 25 pages at two widths (2026-12-04); 5.0
  // minutes for 38 (2026-12-05).
  test.setTimeout(600_000);
  const found: string[] = [];
  for (const width of [1280, 360]) {
    for (const p of PAGES) {
      const context = await contextFor(browser, baseURL!, p.visitor, { width, height: 800 });
      const page = await context.newPage();
      await page.goto(p.path);
      await hydrated(page);
      const where = `${p.name} (${p.path}) at ${width} px`;
      found.push(...(await axe(page, where)));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) found.push(`${where}: the page scrolls sideways by ${overflow} px`);
      if (await page.locator('details:not([open]) > summary').count()) {
        await openAllDisclosures(page);
        found.push(...(await axe(page, `${where}, disclosures open`)));
      }
      await context.close();
    }
  }
  expect(found, found.join('\n')).toEqual([]);
});

test('forms showing their errors pass axe', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const found: string[] = [];

  // Sign-in pages after a refused sign-in (users whose later tests don't
  // depend on them: one failure is far below the lock-out).
  const visitor = await contextFor(browser, baseURL!, 'nobody');
  const page = await visitor.newPage();
  await page.goto('/admin/sign-in?org=northwind');
  await hydrated(page);
  await page.getByLabel('Username').fill('214rhale');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /./ }).first()).toBeVisible();
  found.push(...(await axe(page, 'Admin Portal sign-in, refused')));

  await page.goto('/portal/northwind/sign-in');
  await hydrated(page);
  await page.getByLabel('Identifier', { exact: true }).fill('4165550199');
  await page.getByLabel('Username').fill('office');
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /./ }).first()).toBeVisible();
  found.push(...(await axe(page, 'Client Portal sign-in, refused')));

  await page.goto('/portal/northwind/forgot-identifier');
  await hydrated(page);
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByRole('button', { name: 'Email me my identifier' }).click();
  await expect(page.getByRole('status').or(page.getByRole('alert')).filter({ hasText: /./ }).first()).toBeVisible();
  found.push(...(await axe(page, 'Forgot identifier, answered')));
  await visitor.close();

  // Staff forms refused next to their fields; nothing is changed.
  const staff = await contextFor(browser, baseURL!, 'staff');
  const s = await staff.newPage();
  await s.goto('/admin/accounts/new');
  await hydrated(s);
  await s.getByLabel('Name').fill('A11y Check');
  await s.getByLabel('Main phone').fill('call me');
  await s.getByLabel('Address').fill('1 Test Street');
  await s.getByRole('button', { name: 'Create account' }).click();
  await expect(s.locator('.field.invalid').first()).toBeVisible();
  found.push(...(await axe(s, 'New account, refused')));
  await shot(s, 'a11y-new-account-refused');

  await s.goto('/admin/accounts/1');
  await hydrated(s);
  await s.locator('summary', { hasText: 'Change identifier' }).click();
  await s.getByLabel('New identifier').fill('4165550199');
  await s.getByRole('form', { name: 'Change identifier' }).getByRole('button', { name: 'Change identifier' }).click();
  await expect(s.locator('#identifier-error')).toContainText(/./);
  found.push(...(await axe(s, 'Account, identifier refused')));

  await s.goto('/admin/accounts/1/account-manager');
  await hydrated(s);
  await openAllDisclosures(s);
  // Lakeside Towers has its Account Manager: the form resets the password.
  const login = s.getByRole('form', { name: "Reset the Account Manager's password" });
  await login.getByLabel('Initial password', { exact: true }).fill('short');
  await login.getByLabel('Initial password again').fill('short');
  await login.getByRole('button', { name: 'Reset password' }).click();
  await expect(s.locator('.field.invalid').first()).toBeVisible();
  found.push(...(await axe(s, 'Account Manager, weak password refused')));

  await s.goto('/account/password');
  await hydrated(s);
  await s.getByLabel('New password', { exact: true }).fill('Mismatch-One-2026!');
  await s.getByLabel('Confirm new password').fill('Mismatch-Two-2026!');
  await s.getByLabel('Current password').fill('not-checked-first');
  await s.getByRole('button', { name: 'Change password' }).click();
  await expect(s.locator('.field.invalid, [role=alert]:not(:empty)').first()).toBeVisible();
  found.push(...(await axe(s, 'Change password, refused')));
  await staff.close();

  // The Account Manager's office staff form, refused.
  const manager = await contextFor(browser, baseURL!, 'manager');
  const m = await manager.newPage();
  await m.goto('/portal/northwind/office-staff');
  await hydrated(m);
  const create = m.getByRole('form', { name: 'New office staff user' });
  await create.getByLabel('First name').fill('Axe');
  await create.getByLabel('Last name').fill('Check');
  await create.getByLabel('Username').fill('axecheck');
  await create.getByLabel('Initial password', { exact: true }).fill('short');
  await create.getByLabel('Initial password again').fill('short');
  await create.getByRole('button', { name: 'Create user' }).click();
  await expect(m.locator('.field.invalid').first()).toBeVisible();
  found.push(...(await axe(m, 'Office staff, new user refused')));
  await manager.close();

  // A broker's Add email, refused next to the email field.
  const broker = await contextFor(browser, baseURL!, 'broker');
  const b = await broker.newPage();
  await b.goto('/admin/insureds?q=Patricia+Hussain');
  await hydrated(b);
  await b.locator('summary', { hasText: 'Add email' }).first().click();
  const add = b.getByRole('group', { name: /^Add email for / });
  await add.getByLabel('I have confirmed the policy details with the client').check();
  await add.getByLabel("Client's email").fill('not-an-address@x');
  await add.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(b.locator('.field.invalid').first()).toBeVisible();
  found.push(...(await axe(b, 'Insureds, Add email refused')));
  await broker.close();

  expect(found, found.join('\n')).toEqual([]);
});

test('pages staff see while emulating an Account Manager pass axe', async ({ browser, baseURL }) => {
  const found: string[] = [];
  const staff = await contextFor(browser, baseURL!, 'staff');
  const s = await staff.newPage();
  await s.goto('/admin/accounts/1/account-manager');
  await hydrated(s);
  await s.getByRole('button', { name: /^Emulate/ }).click();
  await expect(s.locator('.emulation-banner')).toBeVisible();
  await hydrated(s);
  found.push(...(await axe(s, 'Client Portal home, emulating')));
  await s.goto('/portal/northwind/office-staff');
  await hydrated(s);
  found.push(...(await axe(s, 'Office staff, emulating')));
  await s.goto('/admin');
  await expect(s.getByRole('heading', { name: 'You are emulating an Account Manager' })).toBeVisible();
  found.push(...(await axe(s, 'Admin Portal home, refused while emulating')));
  await s.getByRole('button', { name: 'Stop emulating' }).click();
  await expect(s.locator('.emulation-banner')).toHaveCount(0);
  await staff.close();
  expect(found, found.join('\n')).toEqual([]);
});

test('everything reached by the Tab key shows a focus ring', async ({ browser, baseURL }) => {
  const missing: string[] = [];
  for (const [visitor, path] of [['nobody', '/portal/northwind/sign-in'], ['staff', '/admin/accounts'], ['manager', '/portal/northwind/office-staff']] as const) {
    const context = await contextFor(browser, baseURL!, visitor);
    const page = await context.newPage();
    await page.goto(path);
    await hydrated(page);
    let reached = 0;
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      const ring = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const label = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') || el.textContent || (el as HTMLInputElement).name || '').trim().slice(0, 40)}"`;
        return { label, visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
      });
      if (ring) reached++;
      if (ring && !ring.visible) missing.push(`${path}: ${ring.label}`);
    }
    expect(reached, `${path}: the Tab key reaches the page's controls`).toBeGreaterThanOrEqual(10);
    await context.close();
  }
  expect(missing, missing.join('\n')).toEqual([]);
});
