import { test, expect } from '@playwright/test';
import { readFileSync, readdirSync, writeFileSync } from 'fs';
import { hydrated } from './helpers';
import { TARGET_BYTES, PAGES, contextFor } from './pages';

// The download budget (issue 13): each page opened cold, as a user gets it,
// adds up the wasm and JS the browser transferred until the page is
// hydrated and the network is quiet (so the route's lazily loaded chunks
// count). Bytes are the encoded (brotli) response bodies, as the files are
// served; the headers are shown beside them but not counted. A page heavier
// than its ceiling fails the run; the table (printed, and written to
// target/budget.md) also shows each page against the issue's target.
test('no page downloads more wasm and JS than its ceiling', async ({ browser, baseURL }) => {
  test.setTimeout(180_000);
  const rows: { name: string; path: string; files: number; body: number; headers: number; ceiling: number; target: number }[] = [];
  for (const p of PAGES) {
    const context = await contextFor(browser, baseURL!, p.visitor);
    const page = await context.newPage();
    const seen: Promise<{ body: number; headers: number } | null>[] = [];
    page.on('requestfinished', (req) => {
      const path = new URL(req.url()).pathname;
      if (!/\.(wasm|js)$/.test(path)) return;
      seen.push(req.sizes().then((s) => ({ body: s.responseBodySize, headers: s.responseHeadersSize })));
    });
    const res = await page.goto(p.path);
    expect(res!.status(), p.path).toBeLessThan(p.name === 'Page not found' ? 500 : 400);
    await hydrated(page);
    await page.waitForLoadState('networkidle');
    const sizes = (await Promise.all(seen)).filter((s) => s !== null);
    rows.push({
      name: p.name,
      path: p.path,
      files: sizes.length,
      body: sizes.reduce((a, s) => a + s!.body, 0),
      headers: sizes.reduce((a, s) => a + s!.headers, 0),
      ceiling: p.ceiling,
      target: TARGET_BYTES[p.budget],
    });
    await context.close();
  }

  const fmt = (n: number) => n.toLocaleString('en-US');
  const table = [
    '| page | files | wasm + JS (brotli) | headers | ceiling | target | to target |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.name} | ${r.files} | ${fmt(r.body)} B | ${fmt(r.headers)} B | ${fmt(r.ceiling)} B${r.body > r.ceiling ? ' **over**' : ''} | ${fmt(r.target)} B | ${r.body <= r.target ? 'met' : `${fmt(r.body - r.target)} B over`} |`),
  ].join('\n');
  console.log(`\nDownload per page (cold cache)\n${table}\n`);
  writeFileSync('../target/budget.md', table + '\n');
  const over = rows.filter((r) => r.body > r.ceiling).map((r) => `${r.name}: ${fmt(r.body)} B > ${fmt(r.ceiling)} B`);
  expect(over, 'pages heavier than their ceiling').toEqual([]);
});

/** The size of each data section in a WebAssembly module (section id 11). */
function dataSectionBytes(wasm: Buffer): number {
  const leb = (at: number): [number, number] => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= wasm.length) throw new Error('a truncated WebAssembly file');
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return [value, at];
    }
  };
  let total = 0;
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, body] = leb(at + 1);
    if (id === 11) total += size;
    at = body + size;
  }
  return total;
}

// wasm-split gives each chunk its own part of the read-only data (the
// strings of the pages in it). When the parts don't fit in the segment the
// linker made, it silently keeps every page's data in the main module, and
// every page downloads about 30 KB more; `SPLIT_DATA_SLACK` in
// frontend/src/lib.rs makes room. This fails when that room has run out.
test('the chunks carry their own constants, not the main module', () => {
  const pkg = '../target/site/pkg';
  const hashes = readFileSync('../target/release/hash.txt', 'utf8');
  const mainHash = /^wasm: *(\S+)/m.exec(hashes)?.[1];
  expect(mainHash, 'the wasm hash in target/release/hash.txt').toBeTruthy();
  let main = 0;
  let all = 0;
  for (const file of readdirSync(pkg).filter((f) => f.endsWith('.wasm'))) {
    const bytes = dataSectionBytes(readFileSync(`${pkg}/${file}`));
    all += bytes;
    if (file === `gatehouse.${mainHash}.wasm`) main = bytes;
  }
  expect(main, 'the main module has a data section').toBeGreaterThan(0);
  // With the data split, the main module holds about 40 % of it; without,
  // all of it.
  expect(main / all, 'share of the data in the main module: raise SPLIT_DATA_SLACK (or the build was not --split)').toBeLessThan(0.75);
});
