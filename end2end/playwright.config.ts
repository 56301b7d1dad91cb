import { defineConfig } from '@playwright/test';

// Browser tests run Debian's Chromium (/usr/bin/chromium): Playwright's own
// browser download is not possible behind the registries-only firewall.
// The server is the release build, on its own port and a fresh SQLite
// database with the demo data loaded.
const port = 3400;
export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command:
      `rm -rf target/e2e-data && ./target/release/server demo > target/e2e-demo.txt && exec ./target/release/server serve`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/health`,
    timeout: 120_000,
    // E2E_REUSE_SERVER=1: measure a server started by hand (e.g. an older
    // build, for the download table before and after a change).
    reuseExistingServer: !!process.env.E2E_REUSE_SERVER,
    stdout: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      GATEHOUSE_DATA_DIR: 'target/e2e-data',
      GATEHOUSE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      GATEHOUSE_DEV_MAILBOX: 'true',
      // The suite signs in more often than one person would.
      GATEHOUSE_RATE_LIMIT_PER_MINUTE: '200',
      RUST_LOG: 'warn',
    },
  },
});
