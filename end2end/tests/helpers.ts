import { expect, Page } from '@playwright/test';
import { mkdirSync } from 'fs';

// Demo data (server `demo`): see app/src/server/services/demo.rs.
export const STAFF_PASSWORD = 'Demo-Staff-2026!';
export const CLIENT_PASSWORD = 'Demo-Client-2026!';
export const INITIAL_PASSWORD = 'Initial-Pass-2026!';
export const LAKESIDE = '4165550142';

// Screenshots of every page the suite visits, to look at after a run.
const shots = '../target/screenshots';
mkdirSync(shots, { recursive: true });
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

// The frontend sets body[data-hydrated] once hydrate() has run.
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}
