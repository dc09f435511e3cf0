/// <reference lib="dom" />
/**
 * Align-only runs end to end in browser mode, as a user starts them: "Align only (BAM)" in the
 * side panel with paths on the server, progress, then the summary with the BAM + BAI paths,
 * which samtools must accept. A run against the wrong genome must say so loudly, and a long
 * run must cancel from the UI leaving no BAM. No request may leave 127.0.0.1.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './support/local-only.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './support/browser-mode.js';

test.describe.configure({ mode: 'serial' });

const ALIGN_FIXTURES = fileURLToPath(new URL('../fixtures/align', import.meta.url));
const DEMO = fileURLToPath(new URL('../../assets/demo', import.meta.url));

let dataDir: string;
let workDir: string;
let server: RunningServer;

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'genomaic-e2e-align-data-'));
  // Copies: the reference layer and the aligner's index cache write beside the FASTA.
  workDir = mkdtempSync(join(tmpdir(), 'genomaic-e2e-align-work-'));
  for (const name of ['mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq']) copyFileSync(join(ALIGN_FIXTURES, name), join(workDir, name));
  copyFileSync(join(DEMO, 'q.fa'), join(workDir, 'chr22-segment.fa'));
  server = await startServer(dataDir);
});

test.afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

/** Records the furthest progress frame the page showed (a short run shows them for a moment). */
async function watchProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { progressSeen: { stage: string; done: number; text: string } };
    w.progressSeen = { stage: '', done: -1, text: '' };
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="progress"]');
      const stage = el?.getAttribute('data-stage') ?? '';
      const done = Number(el?.getAttribute('data-done') ?? 0);
      if (el && stage !== '' && done >= w.progressSeen.done) w.progressSeen = { stage, done, text: el.textContent ?? '' };
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

async function startAlignment(page: Page, reads: string[], reference: string): Promise<void> {
  await page.getByTestId('mode-align').check();
  await page.getByTestId('analyze-reads').fill(reads.join('\n'));
  await page.getByTestId('analyze-reference').fill(reference);
  await expect(page.getByTestId('align-preset')).toHaveValue('auto');
  await page.getByTestId('analyze-start').click();
}

test('aligns an R1/R2 pair from the UI: progress, then the summary and a BAM + BAI samtools accepts', async ({ page }) => {
  await page.goto(server.launchUrl);
  await watchProgress(page);
  await startAlignment(page, [join(workDir, 'mt_ill_R1.fq'), join(workDir, 'mt_ill_R2.fq')], join(workDir, 'mt.fa'));

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.locator('#run-title')).toHaveText('Alignment run');
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: { stage: string; text: string } }).progressSeen);
  expect(seen.stage).toBe('align');
  expect(seen.text).toMatch(/Aligning reads/);

  const summary = page.getByTestId('align-summary');
  await expect(summary).toBeVisible();
  await expect(page.getByTestId('align-reads')).toHaveText('220');
  await expect(page.getByTestId('align-preset-used')).toHaveText('sr (detected)');
  await expect(page.getByTestId('align-proper')).toHaveText(/^\d+\.\d\d%$/);
  await expect(page.getByTestId('low-mapping-warning')).toHaveCount(0);
  const bam = (await page.getByTestId('align-bam').innerText()).trim();
  const bai = (await page.getByTestId('align-bai').innerText()).trim();
  expect(bam.startsWith(join(dataDir, 'runs'))).toBe(true);
  expect(bai).toBe(`${bam}.bai`);
  expect(spawnSync('samtools', ['quickcheck', '-v', bam]).status).toBe(0);
  // The index serves a region query, and the mapped fraction shown is flagstat's.
  expect(Number(execFileSync('samtools', ['view', '-c', bam, 'MT_human:1000-2000'], { encoding: 'utf8' }))).toBeGreaterThan(0);
  const flagstat = execFileSync('samtools', ['flagstat', bam], { encoding: 'utf8' });
  const primary = Number(/^(\d+) \+ \d+ primary$/m.exec(flagstat)![1]);
  const primaryMapped = Number(/^(\d+) \+ \d+ primary mapped/m.exec(flagstat)![1]);
  expect(Number(await page.getByTestId('align-mapped').getAttribute('data-fraction'))).toBeCloseTo(primaryMapped / primary, 10);
  await page.screenshot({ path: test.info().outputPath('align-summary.png'), fullPage: true });
});

test('reads from another genome: the summary warns loudly about the mapping rate', async ({ page }) => {
  await page.goto(server.launchUrl);
  await startAlignment(page, [join(workDir, 'mt_ill_R1.fq')], join(workDir, 'chr22-segment.fa'));
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const warning = page.getByTestId('low-mapping-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText(/Low mapping rate: only \d+\.\d% of reads mapped/);
  await expect(warning).toContainText(/another genome/);
  await expect(page.getByTestId('align-proper')).toHaveText('single-end');
  expect(spawnSync('samtools', ['quickcheck', (await page.getByTestId('align-bam').innerText()).trim()]).status).toBe(0);
  await page.screenshot({ path: test.info().outputPath('align-low-mapping.png'), fullPage: true });
});

test('a long alignment shows reads, rate and ETA, and cancels leaving no BAM', async ({ page }) => {
  // 2,000 copies of one mate file: 220,000 reads, far more than align before the cancel.
  const big = join(workDir, 'big.fq');
  writeFileSync(big, readFileSync(join(workDir, 'mt_ill_R1.fq'), 'utf8').repeat(2000));
  await page.goto(server.launchUrl);
  await startAlignment(page, [big], join(workDir, 'mt.fa'));

  const progress = page.getByTestId('progress');
  await expect(progress).toHaveAttribute('data-stage', 'align');
  await expect(progress).toContainText('aligning reads');
  await expect(progress).toContainText(/reads\/s/);
  await expect(progress).toContainText(/ETA/);
  await page.screenshot({ path: test.info().outputPath('align-progress.png'), fullPage: true });
  const runId = await page.locator('[data-testid="run-item"][data-kind="align"][data-status="running"]').getAttribute('data-run-id');
  await page.getByTestId('cancel-run').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  const runDir = join(dataDir, 'runs', runId!);
  expect(existsSync(runDir) ? readdirSync(runDir).filter((f) => f.endsWith('.bam') || f.endsWith('.bai')) : []).toEqual([]);
});

test("another aligner's BAM is imported as an align run from the same panel", async ({ page }) => {
  const sam = join(workDir, 'peer.sam');
  const peer = join(workDir, 'peer.bam');
  expect(spawnSync('minimap2', ['-ax', 'sr', '-o', sam, join(workDir, 'mt.fa'), join(workDir, 'mt_ill_R1.fq'), join(workDir, 'mt_ill_R2.fq')]).status).toBe(0);
  expect(spawnSync('samtools', ['sort', '-o', peer, sam]).status).toBe(0);
  await page.goto(server.launchUrl);
  await page.getByTestId('mode-align').check();
  await page.getByTestId('analyze-reads').fill(peer);
  await page.getByTestId('analyze-reference').fill(join(workDir, 'mt.fa'));
  // A BAM brings its own alignments and read groups: no preset, no sample.
  await expect(page.getByTestId('align-preset')).toBeDisabled();
  await expect(page.getByTestId('analyze-sample')).toHaveCount(0);
  await expect(page.getByTestId('analyze-start')).toHaveText('Import BAM');
  await page.getByTestId('analyze-start').click();

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('align-summary')).toContainText('Imported alignment');
  await expect(page.getByTestId('align-preset-used')).toHaveText('none (imported)');
  await expect(page.getByTestId('align-reads')).toHaveText('220');
  const bam = (await page.getByTestId('align-bam').innerText()).trim();
  expect(bam).not.toBe(peer);
  expect(spawnSync('samtools', ['quickcheck', '-v', bam]).status).toBe(0);
  expect(execFileSync('samtools', ['view', '-H', bam], { encoding: 'utf8' })).toMatch(/@PG\tID:genomaic-import/);
});
