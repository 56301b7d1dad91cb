import { APIRequestContext, Browser, BrowserContext, expect } from '@playwright/test';
import { readFileSync } from 'fs';
import { CLIENT_PASSWORD, STAFF_PASSWORD, LAKESIDE } from './helpers';

// Every page of the app, as a visitor, a staff user or a client meets it.
// The download budget and the accessibility checks walk this list, so a new
// page is added here once and is measured and checked from then on.

/** Who is signed in when the page is opened. */
export type Visitor = 'nobody' | 'staff' | 'manager' | 'rep' | 'broker' | 'insured';

// The demo brokerage's registered insured signs in with their email and the
// identifier the demo printed (their phone's digits when free).
const DEMO_INSURED_EMAIL = 'demo.insured@insureds.example';
function demoInsuredIdentifier(): string {
  const printed = readFileSync(`${__dirname}/../../target/e2e-demo.txt`, 'utf8');
  const found = printed.match(/\(an insured\): identifier (\d+)/);
  expect(found, 'the demo prints its insured').toBeTruthy();
  return found![1];
}

/** Which budget a page answers to (issue 13): the sign-in pages and the
 * portal home are what insureds open on phones, so they get the tight one. */
export type Budget = 'entry' | 'other';

export interface PageCase {
  name: string;
  path: string;
  visitor: Visitor;
  /** The page's target (issue 13), see `TARGET_BYTES`. */
  budget: Budget;
  /** What the page may weigh today, in bytes: the size measured when the
   * split build landed plus about 3 %. A change that makes a page heavier
   * fails the run; lower a ceiling when a page gets lighter, and raise one
   * only on purpose, saying why in the commit. */
  ceiling: number;
}

/** The targets in bytes (1 KB = 1,000 B) of wasm and JS, as transferred:
 * 160 KB for what insureds open first on their phones, 220 KB for any
 * other page. Not met yet (BENCHMARKS.md, "Page weight"): the run enforces
 * the ceilings and prints how far each page is from its target. */
export const TARGET_BYTES: Record<Budget, number> = { entry: 160_000, other: 220_000 };

// Lakeside Towers in the demo data: the first client account of Northwind.
const ACCOUNT = 1;
// Mei Lin's Claims Rep Manager login in the demo data (Company Access and
// "Other logins of this person" on one page); ids follow the demo's order.
const MEI_LIN = 330;
// Harbourfront Claims Group, the account of the demo's rep manager.
const HARBOURFRONT = '4165550300';

// 2026-12-05, lighter pages (issue 13): every ceiling set to the measured
// weight plus 3 %. The chunks' constants now leave the main module
// (`SPLIT_DATA_SLACK`, frontend/src/lib.rs; main 261 → 230 KB) and every
// chunk lost its producers and target_features sections: each page is
// 27–46 KB lighter (sign-in 282 → 251 KB, portal home 487 → 442 KB).
// 2026-12-05, Create Users, the Staff Master and the settings (issue 12):
// three lazy routes and their pages. The main module grew 7.7 KB (274 →
// 282 KB) and with it every page; pages that were there before grew 4–20
// KB (the splitter cut the code they share with the new pages into more
// chunks). The pages over their ceiling, and the three new ones, set to the
// measured weight plus 3 %. Where the 7.7 KB of main comes from was not
// found (three route loaders explain about 3 KB): worth a `twiggy top` on
// the main module before the next raise.
// 2026-12-05, eDocs, the insured's portal and the follow-up filters (issue
// 10, parts 2 and 3): the pages over their ceiling set to the measured
// weight plus 3 %. The Client Portal home gained 57 KB (410 → 467 KB): the
// insured's portal is in its route (as a `#[lazy]` chunk it saved 20 KB
// but rendered twice on hydration, so it is not split); the main module
// grew 4.4 KB (270 → 274 KB) with the lazy loader of the Docs panel, and
// the pages just under their ceilings passed them. Insureds 425 → 455 KB
// (Docs panel, a lazy chunk; follow-up filters; Export CSV); the insured's
// portal is the Client Portal home route, 467 KB.
// Issue 13 owns bringing these down.
// 2026-12-04, registering insureds (issue 10, part 1): Add email, Edit
// email and Reset password on the Insureds page, 414 → 425 KB; its two
// ceilings set to the measured weight plus 3 %, the others unchanged.
// 2026-12-04, Insureds (issue 9, part 2): every ceiling set again to the
// measured weight plus 3 %. The main module came out 12 KB heavier
// (242,831 → 254,735 B brotli) and every page 10–27 KB heavier, though the
// only change reachable from the main module is one more lazy route; the
// same kind of jump was seen once during issue 11 and went away on its
// own (wasm-split's placement of shared code; BENCHMARKS.md "Page
// weight"). Insureds weighs 414 KB.
// 2026-12-04, Imports (issue 9): every ceiling set again to the measured
// weight plus 3 %: the main module grew 2.3 KB (two lazy routes, the
// Imports button on the Admin home), which had used up the margin of the
// pages near their ceilings (Account went 1 KB over). The Imports page
// weighs 326 KB and an import's report 307 KB.
// 2026-12-04, People and Company Access (issue 11): every ceiling was set
// again to the measured weight plus 3 %. The main module grew 2.4 KB (the
// routes and what the new pages share with others); the pages that were
// there before gained 2.4–23 KB (the portal home most: the account
// switcher); the new pages weigh 373–394 KB.
// BENCHMARKS.md, "Page weight".
export const PAGES: PageCase[] = [
  { name: 'Start page', path: '/', visitor: 'nobody', budget: 'other', ceiling: 259_000 },
  { name: 'Admin Portal sign-in', path: '/admin/sign-in?org=northwind', visitor: 'nobody', budget: 'entry', ceiling: 259_000 },
  { name: 'Client Portal sign-in', path: '/portal/northwind/sign-in', visitor: 'nobody', budget: 'entry', ceiling: 259_000 },
  { name: 'Client Portal home', path: '/portal/northwind', visitor: 'manager', budget: 'entry', ceiling: 411_000 },
  { name: 'Office staff', path: '/portal/northwind/office-staff', visitor: 'manager', budget: 'other', ceiling: 371_000 },
  { name: 'Forgot password (Client Portal)', path: '/portal/northwind/forgot-password', visitor: 'nobody', budget: 'other', ceiling: 274_000 },
  { name: 'Forgot identifier', path: '/portal/northwind/forgot-identifier', visitor: 'nobody', budget: 'other', ceiling: 275_000 },
  { name: 'Forgot password (Admin Portal)', path: '/admin/forgot-password?org=northwind', visitor: 'nobody', budget: 'other', ceiling: 273_000 },
  { name: 'Set password from a link', path: '/password/reset?token=expired-or-unknown', visitor: 'nobody', budget: 'other', ceiling: 300_000 },
  { name: 'Change password', path: '/account/password', visitor: 'staff', budget: 'other', ceiling: 310_000 },
  { name: 'Admin Portal home', path: '/admin', visitor: 'staff', budget: 'other', ceiling: 295_000 },
  { name: 'Client accounts', path: '/admin/accounts', visitor: 'staff', budget: 'other', ceiling: 334_000 },
  { name: 'New account', path: '/admin/accounts/new', visitor: 'staff', budget: 'other', ceiling: 294_000 },
  { name: 'Account', path: `/admin/accounts/${ACCOUNT}`, visitor: 'staff', budget: 'other', ceiling: 413_000 },
  { name: 'Account Manager', path: `/admin/accounts/${ACCOUNT}/account-manager`, visitor: 'staff', budget: 'other', ceiling: 364_000 },
  { name: 'Audit log', path: '/admin/audit', visitor: 'staff', budget: 'other', ceiling: 342_000 },
  { name: 'Development mailbox', path: '/admin/dev-mailbox', visitor: 'staff', budget: 'other', ceiling: 302_000 },
  { name: 'Page not found', path: '/no-such-page', visitor: 'nobody', budget: 'other', ceiling: 259_000 },
  { name: 'People', path: '/admin/people', visitor: 'staff', budget: 'other', ceiling: 424_000 },
  { name: 'People (clients)', path: '/admin/people?side=clients&sort=logon&dir=desc', visitor: 'staff', budget: 'other', ceiling: 424_000 },
  { name: 'Person', path: `/admin/people/${MEI_LIN}`, visitor: 'staff', budget: 'other', ceiling: 424_000 },
  // Create Users, the Staff Master and the settings (issue 12).
  { name: 'Create Users', path: '/admin/people/create', visitor: 'staff', budget: 'other', ceiling: 415_000 },
  { name: 'Staff Master', path: '/admin/staff', visitor: 'staff', budget: 'other', ceiling: 392_000 },
  { name: 'Settings', path: '/admin/settings', visitor: 'staff', budget: 'other', ceiling: 337_000 },
  { name: 'Client Portal home (Claims Rep Manager)', path: '/portal/northwind', visitor: 'rep', budget: 'entry', ceiling: 411_000 },
  // 2026-12-04, Imports (issue 9): the demo brokerage's broker; import 1 is
  // the demo's own (3,000 policies, 30 files; the report shows 5 a page).
  { name: 'Imports', path: '/admin/imports', visitor: 'broker', budget: 'other', ceiling: 346_000 },
  { name: 'Imports (upload refused)', path: '/admin/imports?import_error=too_large', visitor: 'broker', budget: 'other', ceiling: 346_000 },
  { name: 'Import report', path: '/admin/imports/1', visitor: 'broker', budget: 'other', ceiling: 322_000 },
  // 2026-12-04, Insureds (issue 9): the demo brokerage's 2,430 insureds.
  { name: 'Insureds', path: '/admin/insureds', visitor: 'broker', budget: 'other', ceiling: 446_000 },
  { name: 'Insureds (search and filters)', path: '/admin/insureds?q=smith&policies=active&sort=expiry&dir=desc', visitor: 'broker', budget: 'other', ceiling: 446_000 },
  { name: 'Insureds (registered, never signed in)', path: '/admin/insureds?registered=never', visitor: 'broker', budget: 'other', ceiling: 446_000 },
  // 2026-12-05, the insured's portal (issue 10): the demo brokerage's
  // registered insured, their policies and two eDocs.
  { name: 'Insured portal', path: '/portal/harbour/insured', visitor: 'insured', budget: 'entry', ceiling: 346_000 },
  { name: 'Insured portal (one policy)', path: '/portal/harbour/insured?policy=1', visitor: 'insured', budget: 'entry', ceiling: 346_000 },
];

/** Signs `request` in as `visitor`, through the same server functions the
 * sign-in forms call. */
export async function signIn(request: APIRequestContext, baseURL: string, visitor: Visitor) {
  const headers = { Origin: baseURL, Accept: 'application/json' };
  if (visitor === 'staff') {
    const r = await request.post('/api/staff_sign_in', {
      form: { organization: 'northwind', username: '214amorgan', password: STAFF_PASSWORD },
      headers,
    });
    expect(r.status(), 'staff sign-in').toBe(200);
  } else if (visitor === 'broker') {
    const r = await request.post('/api/staff_sign_in', {
      form: { organization: 'harbour', username: '317rhale', password: STAFF_PASSWORD },
      headers,
    });
    expect(r.status(), 'broker sign-in').toBe(200);
  } else if (visitor === 'rep') {
    const r = await request.post('/api/client_sign_in', {
      form: { organization: 'northwind', identifier: HARBOURFRONT, username: 'rdelgado', password: CLIENT_PASSWORD },
      headers,
    });
    expect(r.status(), 'rep manager sign-in').toBe(200);
  } else if (visitor === 'insured') {
    const r = await request.post('/api/client_sign_in', {
      form: { organization: 'harbour', identifier: demoInsuredIdentifier(), username: DEMO_INSURED_EMAIL, password: CLIENT_PASSWORD },
      headers,
    });
    expect(r.status(), 'insured sign-in').toBe(200);
  } else if (visitor === 'manager') {
    const r = await request.post('/api/client_sign_in', {
      form: { organization: 'northwind', identifier: LAKESIDE, username: 'manager', password: CLIENT_PASSWORD },
      headers,
    });
    expect(r.status(), 'client sign-in').toBe(200);
  }
}

/** A fresh context (empty cache, no cookies) signed in as `visitor`. */
export async function contextFor(browser: Browser, baseURL: string, visitor: Visitor, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport });
  await signIn(context.request, baseURL, visitor);
  return context;
}
