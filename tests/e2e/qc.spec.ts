/// <reference lib="dom" />
/**
 * The foundation's vertical slice, end to end, as a user sees it: FASTQ dropped onto the page in
 * browser mode → progress → QC plots; a large run cancelled; a malformed file reported by name
 * and record with the app still usable; runs surviving a server restart; and no request leaving
 * 127.0.0.1 at any point.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './support/local-only.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from './support/browser-mode.js';
import { syntheticIlluminaRecords, writeLargeFastq } from '../support/synthetic-fastq.js';

let dataDir: string;
let workDir: string;
let server: RunningServer;


/** Drops a file made of `content` repeated `repeat` times (built in the page, so it can be large). */
async function dropFile(page: Page, name: string, content: string, repeat = 1): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ fileName, text, times }) => {
      const dt = new DataTransfer();
      dt.items.add(new File(Array.from({ length: times }, () => text), fileName, { type: 'application/octet-stream' }));
      return dt;
    },
    { fileName: name, text: content, times: repeat },
  );
  const target = page.getByTestId('drop-zone');
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'genomaic-e2e-data-'));
  workDir = mkdtempSync(join(tmpdir(), 'genomaic-e2e-work-'));
  server = await startServer(dataDir);
});

test.afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

test('the page refuses a visitor without the launch token', async ({ page }) => {
  const response = await page.goto(server.url);
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('token');
});

test('a dropped FASTQ shows progress, then QC plots and platform evidence', async ({ page }) => {
  const response = await page.goto(server.launchUrl);
  expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
  await expect(page.getByTestId('drop-zone')).toBeVisible();

  // Watch the page itself for progress frames: a fast run can show them for only a moment.
  await page.evaluate(() => {
    const w = window as unknown as { progressSeen: { bytes: number; text: string } };
    w.progressSeen = { bytes: 0, text: '' };
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="progress"]');
      const bytes = Number(el?.getAttribute('data-done') ?? 0);
      if (el && bytes > w.progressSeen.bytes) w.progressSeen = { bytes, text: el.textContent ?? '' };
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  // 20,000 records repeated 20 times: a 140 MB file, so the run lasts long enough to report progress.
  await dropFile(page, 'sample_R1.fastq', syntheticIlluminaRecords(20_000, 150, 11), 20);

  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: { bytes: number; text: string } }).progressSeen);
  expect(seen.bytes).toBeGreaterThan(0);
  expect(seen.text).toMatch(/reads\/s/);
  for (const id of ['qc-plot-length', 'qc-plot-quality', 'qc-plot-gc', 'qc-plot-per-cycle', 'qc-summary', 'platform-evidence']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  await expect(page.getByTestId('qc-summary')).toContainText('400,000');
  await expect(page.getByTestId('platform-evidence')).toContainText(/illumina/i);
  await expect(page.getByTestId('file-card')).toContainText('sample_R1.fastq');
  await page.screenshot({ path: test.info().outputPath('qc-run-done.png'), fullPage: true });
  await page.getByTestId('qc-plot-length').scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('qc-run-plots.png') });
});

test('a large run shows bytes, rate and ETA while it runs, and can be cancelled', async ({ page }) => {
  const big = join(workDir, 'big_reads.fastq');
  await writeLargeFastq(big, 1_500_000_000);
  await page.goto(server.launchUrl);
  await page.getByTestId('path-input').fill(big);
  await page.getByTestId('start-paths').click();

  const progress = page.getByTestId('progress');
  await expect(progress).toBeVisible();
  await expect
    .poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  expect(Number(await progress.getAttribute('data-total'))).toBeGreaterThan(1_000_000_000);
  await expect(progress).toContainText(/reads\/s/);
  await expect(progress).toContainText(/ETA/i);
  await page.screenshot({ path: test.info().outputPath('qc-run-progress.png'), fullPage: true });

  await page.getByTestId('cancel-run').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled');
  rmSync(big, { force: true });
});

test('a malformed FASTQ is reported by file, record and fault, and the app stays usable', async ({ page }) => {
  await page.goto(server.launchUrl);
  const good = syntheticIlluminaRecords(3, 150, 5).split('\n');
  good[9] = good[9]!.slice(0, 149); // record 3's quality is one character short
  await dropFile(page, 'broken.fastq', good.join('\n'));

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'failed');
  const error = page.getByTestId('run-error');
  await expect(error).toContainText('broken.fastq');
  await expect(error).toContainText(/record 3/);
  await expect(error).not.toContainText(/\bat .*\.js:\d+/); // a message, never a stack trace
  await page.screenshot({ path: test.info().outputPath('qc-run-error.png'), fullPage: true });

  // Still usable: a good file right after runs to the end.
  const okPath = join(workDir, 'after_error.fastq');
  writeFileSync(okPath, syntheticIlluminaRecords(500, 100, 3));
  await page.getByTestId('path-input').fill(okPath);
  await page.getByTestId('start-paths').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done');
});

test('runs survive a restart and re-open offline', async ({ page }) => {
  await server.stop();
  server = await startServer(dataDir);
  await page.goto(server.launchUrl);
  const items = page.getByTestId('run-item');
  await expect(items.first()).toBeVisible();
  const statuses = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  expect(statuses).toEqual(expect.arrayContaining(['done', 'failed', 'cancelled']));
  await items.filter({ hasText: 'sample_R1.fastq' }).first().click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('qc-plot-quality')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('qc-run-reopened.png'), fullPage: true });
});
