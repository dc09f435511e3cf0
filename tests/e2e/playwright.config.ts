import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';

/**
 * End-to-end tests drive the real UI in browser mode with Debian's Chromium: Playwright's own
 * browser builds are downloads from a host these machines cannot reach.
 */
export default defineConfig({
  testDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: /.*\.spec\.ts$/,
  outputDir: fileURLToPath(new URL('../../test-results/e2e', import.meta.url)),
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.GENOMAIC_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
