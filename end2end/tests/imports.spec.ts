import { test, expect, Page } from '@playwright/test';
import { readFileSync } from 'fs';
import { STAFF_PASSWORD, shot, hydrated } from './helpers';

// Imports: a broker of the demo brokerage uploads three CSIO downloads with
// progress, and reads the report: what happened to each policy, the near
// match (Chris Smith at Christopher J Smith's address) and the file refused
// with its reason; then finds the client on the Insureds page by a part of
// the name and by policy number, and attaches the near-match policy to
// them. The import form works without script. A broker then registers an
// insured (Add email), who sets a password from the welcome email and signs
// in on a phone.

const FIXTURES = '../server/tests/fixtures/csio';

async function brokerSignIn(page: Page) {
  await page.goto('/admin/sign-in?org=harbour');
  await hydrated(page);
  await page.getByLabel('Username').fill('317rhale');
  await page.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test('a broker uploads three downloads and reads the report', async ({ page }) => {
  await brokerSignIn(page);
  await page.getByRole('link', { name: 'Imports' }).click();
  await expect(page).toHaveURL(/\/admin\/imports$/);
  await expect(page.getByRole('heading', { name: 'Imports', exact: true })).toBeVisible();
  // The demo's own import is listed.
  await expect(page.getByRole('region', { name: 'Imports' }).getByRole('link', { name: 'Import 1' })).toBeVisible();
  await hydrated(page);
  await shot(page, 'imports');

  await page.getByLabel(/Download files or zips/).setInputFiles([
    `${FIXTURES}/auto-jane-smith.xml`,
    `${FIXTURES}/several-policies.xml`,
    `${FIXTURES}/wrong-namespace.xml`,
  ]);
  // Progress shows while the files go up and are processed; small files
  // can be done before a look, so the button state is what is checked.
  const sent = page.waitForResponse((r) => r.url().endsWith('/imports/upload'));
  await page.getByRole('button', { name: 'Import' }).click();
  expect((await sent).status()).toBe(201);

  await expect(page).toHaveURL(/\/admin\/imports\/\d+$/);
  await expect(page.getByRole('heading', { name: /^Import \d+$/ })).toBeVisible();
  const totals = page.getByRole('region', { name: 'Totals' });
  await expect(totals).toContainText('3Files');
  await expect(totals).toContainText('4Policies');
  await expect(totals).toContainText('1Rejected files');
  await expect(page.getByRole('status').filter({ hasText: '4 policies in 3 files · 1 rejected' })).toBeVisible();

  const refused = page.getByRole('region', { name: 'wrong-namespace.xml' });
  await expect(refused.getByText('Rejected')).toBeVisible();
  await expect(refused).toContainText('Why: not a CSIO policy download (not in the ACORD namespace).');

  const several = page.getByRole('region', { name: 'Policies of several-policies.xml' });
  const chris = several.getByRole('row').filter({ hasText: 'EC-HO-118822' });
  await expect(chris).toContainText('New insured');
  await expect(chris).toContainText('Chris Smith');
  await expect(chris).toContainText('Christopher J Smith (name differs)');
  await shot(page, 'import-report');

  // Back on the Imports page the new import is at the top.
  await page.getByRole('link', { name: 'Imports' }).click();
  const newest = page.getByRole('region', { name: 'Imports' }).locator('tbody tr').first();
  await expect(newest).toContainText('Upload · Robin Hale');

  // Insureds: find the client by a fragment of the name, then by policy
  // number, and attach the near-match policy to them.
  await page.goto('/admin/insureds');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Insureds', exact: true })).toBeVisible();
  const find = page.getByRole('searchbox', { name: /Find/ });
  const table = page.getByRole('table', { name: 'Insureds' });
  await find.fill('istopher j sm');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await expect(page).toHaveURL(/q=istopher/);
  const christopher = table.getByRole('row').filter({ hasText: 'Christopher J Smith' }).filter({ hasText: '40 Elm Dr' });
  await expect(christopher).toBeVisible();
  await expect(christopher).toContainText('WA-3300415');
  await expect(christopher).not.toContainText('EC-HO-118822');

  await find.fill('echo 1188');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const chrisRow = table.getByRole('row').filter({ hasText: 'Chris Smith' });
  await expect(chrisRow).toContainText('EC-HO-118822');
  await expect(chrisRow).toContainText('Needs attaching');
  await expect(chrisRow.getByRole('link', { name: 'Christopher J Smith' })).toBeVisible();
  await shot(page, 'insureds-search');

  // The likely match's link shows that one insured; its 📎 panel finds the
  // policy by number and Add moves it.
  await chrisRow.getByRole('link', { name: 'Christopher J Smith' }).click();
  await expect(page).toHaveURL(/insured=\d+/);
  await hydrated(page);
  const panelButton = page.getByRole('button', { name: 'Attach/Unattach Policies for Christopher J Smith' })
    .or(page.locator('summary[aria-label="Attach/Unattach Policies for Christopher J Smith"]'));
  await panelButton.first().click();
  const panel = page.getByRole('group', { name: 'Attach/Unattach Policies for Christopher J Smith' });
  await expect(panel.getByText('WA-3300415')).toBeVisible();
  await panel.getByLabel('Policy number').fill('EC-HO-118');
  await panel.getByRole('button', { name: 'Search' }).click();
  const found = panel.getByRole('list', { name: 'Policies found' });
  await expect(found).toContainText('on Chris Smith');
  await shot(page, 'insureds-attach');
  await found.getByRole('button', { name: 'Add policy EC-HO-118822' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Policy EC-HO-118822 attached to Christopher J Smith.' })).toBeVisible();
  const moved = page.getByRole('table', { name: 'Insureds' }).getByRole('row').filter({ hasText: 'Christopher J Smith' });
  await expect(moved).toContainText('EC-HO-118822');
  await expect(moved).toContainText('WA-3300415');

  // Chris Smith, left without policies, is gone from the default view.
  await page.goto('/admin/insureds?q=echo+1188');
  await hydrated(page);
  const rows = page.getByRole('table', { name: 'Insureds' }).getByRole('row');
  await expect(rows.filter({ hasText: 'Christopher J Smith' })).toBeVisible();
  await expect(rows.filter({ hasText: /^Chris Smith/ })).toHaveCount(0);
});

test('a broker registers an insured and adds an eDoc; the insured signs in on a phone, sees their policies and downloads it', async ({ page, browser }) => {
  await brokerSignIn(page);
  // The client calls with a policy number: find them by it.
  await page.goto('/admin/insureds?q=Amelia+Mitchell');
  await hydrated(page);
  let rows = page.getByRole('table', { name: 'Insureds' }).getByRole('row');
  // Two insureds have the name; the one at M5V 5C0 is the client.
  const amelias = rows.filter({ hasText: 'Amelia Mitchell' });
  const policyNumber = (await amelias.filter({ hasText: 'M5V 5C0' }).locator('td.policies code').first().textContent())!.trim();
  const othersNumber = (await amelias.filter({ hasNotText: 'M5V 5C0' }).locator('td.policies code').first().textContent())!.trim();
  await page.goto(`/admin/insureds?q=${encodeURIComponent(policyNumber)}`);
  await hydrated(page);
  rows = page.getByRole('table', { name: 'Insureds' }).getByRole('row');
  const row = rows.filter({ hasText: 'Amelia Mitchell' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('M5V 5C0');
  await expect(row).toContainText('Not registered');
  // Check the details with the client, add the email.
  await row.locator('summary[aria-label="Add email for Amelia Mitchell"]').click();
  const panel = page.getByRole('group', { name: 'Add email for Amelia Mitchell' });
  await expect(panel).toContainText('M5V 5C0');
  await expect(panel).toContainText(policyNumber);
  await panel.getByLabel("Client's email").fill('Amelia.Mitchell@example.com');
  await panel.getByLabel('I have confirmed the policy details with the client').check();
  await shot(page, 'insureds-add-email');
  await panel.getByRole('button', { name: 'Add', exact: true }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Registered Amelia.Mitchell@example.com' });
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('junk and spam');
  const identifier = (await notice.textContent())!.match(/identifier (\d+)/)![1];
  const registered = rows.filter({ hasText: 'Amelia Mitchell' });
  await expect(registered).toContainText('Amelia.Mitchell@example.com');
  await expect(registered.getByText('Registered', { exact: true })).toBeVisible();
  // No password yet: the row offers the welcome again, and says so.
  await expect(registered.getByRole('button', { name: 'Resend the welcome email to Amelia Mitchell' })).toBeVisible();
  await expect(registered).toContainText('No password yet');
  // The follow-up filter finds her; the list exports as CSV.
  await page.goto(`/admin/insureds?registered=never&q=${encodeURIComponent(policyNumber)}`);
  await hydrated(page);
  await expect(page.getByLabel('Registered')).toHaveValue('never');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  const exported = readFileSync((await csv.path())!, 'utf8');
  expect(exported.split('\r\n')[0]).toBe('Insured,Address,City,Province,Postal code,Email,Policy numbers,Registered,Last signed in');
  expect(exported).toContain('Amelia.Mitchell@example.com');
  expect(exported).toContain(policyNumber);
  rows = page.getByRole('table', { name: 'Insureds' }).getByRole('row');

  // 📄 Docs: add the pink card as an eDoc of her policy.
  await rows.filter({ hasText: 'Amelia Mitchell' }).locator('summary[aria-label="eDocs of Amelia Mitchell"]').click();
  const docs = page.getByRole('group', { name: 'eDocs of Amelia Mitchell' });
  await expect(docs).toContainText('No eDocs yet.');
  await docs.locator('summary', { hasText: 'Add eDoc' }).click();
  const form = docs.getByRole('form', { name: 'Add an eDoc' });
  await form.getByLabel('Issue date').fill('2026-11-20');
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200 * 1024, 0x20), Buffer.from('\n%%EOF\n')]);
  await form.getByLabel(/PDF file/).setInputFiles({ name: 'Pink card 2026.pdf', mimeType: 'application/pdf', buffer: pdf });
  await form.getByLabel('Business purpose').selectOption({ label: 'New business' });
  await form.getByLabel('Document type').selectOption({ label: 'Liability slip / pink card' });
  const policySelect = form.getByLabel('Policy');
  await policySelect.selectOption((await policySelect.locator('option', { hasText: policyNumber }).getAttribute('value'))!);
  await shot(page, 'insureds-add-edoc');
  await form.getByRole('button', { name: 'Add eDoc' }).click();
  await expect(docs.getByText('The eDoc was added.')).toBeVisible();
  const edoc = docs.getByRole('list', { name: 'eDocs of Amelia Mitchell' }).getByRole('listitem').filter({ hasText: 'Pink card 2026.pdf' });
  await expect(edoc).toContainText('Liability slip / pink card');
  await expect(edoc).toContainText('New business');
  await expect(edoc).toContainText(policyNumber);
  await shot(page, 'insureds-edocs');

  // The welcome email names the portal, the identifier and the username
  // (the development mailbox is for User Administrators).
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await admin.goto('/admin/sign-in?org=harbour');
  await hydrated(admin);
  await admin.getByLabel('Username').fill('317bchen');
  await admin.getByLabel('Password', { exact: true }).fill(STAFF_PASSWORD);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await expect(admin).toHaveURL(/\/admin$/);
  await admin.goto('/admin/dev-mailbox');
  await hydrated(admin);
  const email = admin
    .locator('article.message')
    .filter({ hasText: 'Amelia.Mitchell@example.com' })
    .filter({ hasText: `Identifier: ${identifier}` })
    .first();
  await expect(email).toContainText('Username: amelia.mitchell@example.com');
  const href = await email.locator('a[href*="/password/reset?token="]').getAttribute('href');
  expect(href).toBeTruthy();
  await adminContext.close();

  // The insured, on a phone: sets a password, signs in with identifier,
  // email and password, sees their policy and downloads the pink card.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const insured = await phone.newPage();
  await insured.goto(href!);
  await hydrated(insured);
  await insured.getByLabel('New password', { exact: true }).fill('Amelia-Portal-2026!');
  await insured.getByLabel('Confirm new password').fill('Amelia-Portal-2026!');
  await insured.getByRole('button', { name: 'Save password' }).click();
  await expect(insured).toHaveURL(/\/portal\/harbour\/sign-in\?password=set$/);
  await hydrated(insured);
  await insured.getByLabel('Identifier', { exact: true }).fill(identifier);
  await insured.getByLabel('Username').fill('amelia.mitchell@EXAMPLE.com');
  await insured.getByLabel('Password', { exact: true }).fill('Amelia-Portal-2026!');
  await insured.getByRole('button', { name: 'Sign in' }).click();
  // An insured lands on a page of their own.
  await expect(insured).toHaveURL(/\/portal\/harbour\/insured$/);
  await expect(insured.getByRole('heading', { level: 1 })).toHaveText('Amelia Mitchell');
  await hydrated(insured);
  const policies = insured.getByRole('region', { name: 'My policies' });
  await expect(policies).toContainText(policyNumber);
  // Only her own: the other Amelia Mitchell's policy is not here.
  await expect(policies).not.toContainText(othersNumber);
  const mine = insured.getByRole('region', { name: 'My documents' });
  await expect(mine).toContainText('1 document.');
  await expect(insured.getByRole('region', { name: 'My account' })).toContainText('amelia.mitchell@example.com');
  // Nothing wider than the phone.
  const width = await insured.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  await shot(insured, 'insured-portal-phone');
  const [download] = await Promise.all([
    insured.waitForEvent('download'),
    mine.getByRole('link', { name: /Liability slip \/ pink card/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Pink card 2026.pdf');
  const saved = await download.path();
  expect(readFileSync(saved!).subarray(0, 5).toString()).toBe('%PDF-');
  // Filtered by her policy, it is still there.
  const filter = mine.getByLabel('Policy');
  await filter.selectOption((await filter.locator('option', { hasText: policyNumber }).getAttribute('value'))!);
  await mine.getByRole('button', { name: 'Show' }).click();
  await expect(insured).toHaveURL(/\?policy=\d+/);
  await expect(insured.getByRole('region', { name: 'My documents' })).toContainText(`1 document for policy ${policyNumber}.`);
  await phone.close();

  // The same portal at desktop width.
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const wide = await desktop.newPage();
  await wide.goto('/portal/harbour/sign-in');
  await hydrated(wide);
  await wide.getByLabel('Identifier', { exact: true }).fill(identifier);
  await wide.getByLabel('Username').fill('amelia.mitchell@example.com');
  await wide.getByLabel('Password', { exact: true }).fill('Amelia-Portal-2026!');
  await wide.getByRole('button', { name: 'Sign in' }).click();
  await expect(wide).toHaveURL(/\/portal\/harbour\/insured$/);
  await expect(wide.getByRole('region', { name: 'My documents' })).toContainText('Pink card 2026.pdf');
  // The portal's address sends an insured to their page. Loaded whole
  // (server-rendered, then hydrated): the page is there once.
  await wide.goto('/portal/harbour');
  await expect(wide).toHaveURL(/\/portal\/harbour\/insured$/);
  await hydrated(wide);
  await expect(wide.getByRole('heading', { level: 1 })).toHaveCount(1);
  await expect(wide.getByRole('region', { name: 'My documents' })).toHaveCount(1);
  await shot(wide, 'insured-portal-desktop');
  // A bookmark of the portal's address keeps its filter.
  await wide.goto('/portal/harbour?policy=999999');
  await expect(wide).toHaveURL(/\/portal\/harbour\/insured\?policy=999999$/);
  await expect(wide.getByRole('region', { name: 'My documents' })).toContainText('No documents for that policy.');
  await desktop.close();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the import form posts plainly and shows the report', async ({ page }) => {
    const r = await page.request.post('/api/staff_sign_in', {
      form: { organization: 'harbour', username: '317rhale', password: STAFF_PASSWORD },
      headers: { Origin: 'http://127.0.0.1:3400', Accept: 'application/json' },
    });
    expect(r.status()).toBe(200);
    await page.goto('/admin/imports');
    await page.getByLabel(/Download files or zips/).setInputFiles([`${FIXTURES}/commercial-smith-bakery.xml`]);
    await page.getByRole('button', { name: 'Import' }).click();
    await expect(page).toHaveURL(/\/admin\/imports\/\d+$/);
    await expect(page.getByRole('region', { name: 'Policies of commercial-smith-bakery.xml' })).toContainText('NB-CP-0042117');
  });
});
