/// <reference lib="dom" />
/**
 * Deleting a run that is not an analysis under review, from its run view: an align-only run
 * started from the UI, as a user does. Cancelling the confirmation keeps the run and its BAM;
 * confirming removes the run from the list, the BAM + BAI from disk, and leaves its screen.
 * A QC run is deleted the same way, and a running run offers no delete. No request may leave
 * 127.0.0.1.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './support/local-only.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './support/browser-mode.js';

test.describe.configure({ mode: 'serial' });

const ALIGN_FIXTURES = fileURLToPath(new URL('../fixtures/align', import.meta.url));

let dataDir: string;
let workDir: string;
let server: RunningServer;

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'genomaic-e2e-delete-data-'));
  // Copies: the reference layer and the aligner's index cache write beside the FASTA.
  workDir = mkdtempSync(join(tmpdir(), 'genomaic-e2e-delete-work-'));
  for (const name of ['mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq']) copyFileSync(join(ALIGN_FIXTURES, name), join(workDir, name));
  server = await startServer(dataDir);
});

test.afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

async function startAlignment(page: Page, reads: string[], reference: string): Promise<void> {
  await page.getByTestId('mode-align').check();
  await page.getByTestId('analyze-reads').fill(reads.join('\n'));
  await page.getByTestId('analyze-reference').fill(reference);
  await page.getByTestId('analyze-start').click();
}

/** The id of the run the page shows (the runs list marks the open one). */
async function openRunId(page: Page): Promise<string> {
  const id = await page.locator('[data-testid="run-item"][aria-current="page"]').getAttribute('data-run-id');
  expect(id).toMatch(/\S/);
  return id!;
}

test('an align-only run is deleted from its run view: cancel keeps it, confirm removes the run and its BAM + BAI', async ({ page }) => {
  await page.goto(server.launchUrl);
  const reads = [join(workDir, 'mt_ill_R1.fq'), join(workDir, 'mt_ill_R2.fq')];
  await startAlignment(page, reads, join(workDir, 'mt.fa'));
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const runId = await openRunId(page);
  const bam = (await page.getByTestId('align-bam').innerText()).trim();
  const bai = (await page.getByTestId('align-bai').innerText()).trim();
  expect(spawnSync('samtools', ['quickcheck', bam]).status).toBe(0);
  expect(existsSync(bai)).toBe(true);

  // Cancel: the dialog names the BAM and BAI it would delete and the inputs it keeps, and
  // nothing happens; focus returns to the button.
  const deleteButton = page.getByTestId('delete-run');
  await deleteButton.click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this run?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('delete-files')).toHaveText(`${bam}${bai}`);
  await expect(dialog.getByTestId('kept-files')).toContainText(reads[0]!);
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // Keyboard focus stays in the dialog.
  await page.keyboard.press('Tab');
  await expect(dialog.getByTestId('confirm-delete')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.screenshot({ path: test.info().outputPath('run-delete-dialog.png'), fullPage: true });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();
  // Esc cancels as well.
  await deleteButton.click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`)).toHaveCount(1);
  expect(existsSync(bam)).toBe(true);
  expect(existsSync(bai)).toBe(true);
  // Still there after a reload: the server kept it too.
  await page.reload();
  await expect(page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`)).toHaveCount(1);
  await expect(page.getByTestId('align-summary')).toBeVisible();

  // Confirm: back to the home screen, gone from the list (also after a reload), BAM and BAI gone.
  await page.getByTestId('delete-run').click();
  await dialog.getByTestId('confirm-delete').click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#run-title')).toHaveCount(0);
  await expect(page).not.toHaveURL(new RegExp(runId));
  await expect(page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`)).toHaveCount(0);
  expect(existsSync(bam)).toBe(false);
  expect(existsSync(bai)).toBe(false);
  expect(existsSync(join(dataDir, 'runs', runId))).toBe(false);
  // The inputs are the user's and stay.
  for (const path of reads) expect(existsSync(path)).toBe(true);
  await page.reload();
  await expect(page.getByTestId('runs-list')).toHaveAttribute('aria-busy', 'false');
  await expect(page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`)).toHaveCount(0);
});

test('a running run offers no delete; once cancelled it can be deleted', async ({ page }) => {
  // 2,000 copies of one mate file: far more reads than align before the cancel.
  const big = join(workDir, 'big.fq');
  writeFileSync(big, readFileSync(join(workDir, 'mt_ill_R1.fq'), 'utf8').repeat(2000));
  await page.goto(server.launchUrl);
  await startAlignment(page, [big], join(workDir, 'mt.fa'));
  await expect(page.getByTestId('progress')).toHaveAttribute('data-stage', 'align');
  await expect(page.getByTestId('cancel-run')).toBeVisible();
  await expect(page.getByTestId('delete-run')).toHaveCount(0);
  const runId = await openRunId(page);

  await page.getByTestId('cancel-run').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  await page.getByTestId('delete-run').click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this run?' });
  await expect(dialog).toContainText('left no BAM');
  await dialog.getByTestId('confirm-delete').click();
  await expect(page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`)).toHaveCount(0);
  await expect(page.locator('#run-title')).toHaveCount(0);
  expect(existsSync(big)).toBe(true);
});

test('a QC run is deleted the same way, and the FASTQ it checked stays', async ({ page }) => {
  const reads = join(workDir, 'mt_ill_R1.fq');
  await page.goto(server.launchUrl);
  await page.getByTestId('path-input').fill(reads);
  await page.getByTestId('start-paths').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const runId = await openRunId(page);
  await page.getByTestId('delete-run').click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete this run?' });
  await expect(dialog).toContainText('QC report');
  await expect(dialog.getByTestId('kept-files')).toHaveText(reads);
  await dialog.getByTestId('confirm-delete').click();
  await expect(page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`)).toHaveCount(0);
  await expect(page.locator('#run-title')).toHaveCount(0);
  expect(existsSync(reads)).toBe(true);
});
