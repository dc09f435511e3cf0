/**
 * The review workstation's engine side on real data: the bundled NA12878 demo analysed by
 * `genomaic analyze`, imported, reviewed, exported. Why each test exists is in its name; the
 * exports are checked with the tools a user's pipeline would use (bcftools, tabix).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../engine/engine.js';
import { analyzeDemo } from '../../support/demo-analysis.js';
import type { CallDetail, CallPage } from '../../../app/contract.js';

let dir: string;
let analysisDir: string;
let engine: Engine;
let runId: string;

function openEngine(): Engine {
  return Engine.open({ dataDir: join(dir, 'data'), host: 'cli' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-review-'));
  analysisDir = await analyzeDemo(join(dir, 'analysis'));
  engine = openEngine();
  ({ runId } = await engine.handle('analysis.import', { dir: analysisDir }));
}, 120_000);

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importing an analysis folder', () => {
  it('creates a finished analysis run listed with the others', async () => {
    const runs = await engine.handle('runs.list', {});
    const run = runs.find((r) => r.id === runId);
    expect(run?.kind).toBe('analyze');
    expect(run?.status).toBe('done');
  });

  it('imports every VCF record, in VCF order, with its sidecar evidence', async () => {
    const vcfRecords = execFileSync('bcftools', ['view', '-H', join(analysisDir, 'NA12878.vcf.gz')], { encoding: 'utf8' }).trim().split('\n');
    const page: CallPage = await engine.handle('calls.list', { runId, offset: 0, limit: 1000 });
    expect(page.total).toBe(vcfRecords.length);
    expect(page.rows.map((r) => `${r.contig}\t${r.pos}`)).toEqual(vcfRecords.map((l) => l.split('\t').slice(0, 2).join('\t')));
    const detail: CallDetail = await engine.handle('call.get', { runId, callId: page.rows.findIndex((r) => r.filter === 'PASS') });
    expect(detail.supportingReads.length).toBeGreaterThan(0);
    expect(detail.opposingReads.length).toBeGreaterThan(0);
    expect(detail.strand.altForward[0]! + detail.strand.altReverse[0]!).toBeGreaterThan(0);
    expect(detail.provenance.inputs.find((i) => i.role === 'bam')?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.provenance.configHash).toMatch(/^[0-9a-f]{64}$/);
    // The default analysis genotypes with the shipped model: the call shows the experts the
    // router used, with their weights, and the verifier's verdict.
    expect(detail.modelId).toBe('genomeltm-moe-small');
    expect(detail.experts!.length).toBeGreaterThan(0);
    expect(detail.experts!.reduce((sum, e) => sum + e.weight, 0)).toBeCloseTo(1, 2);
    expect(['pass', 'reroute', 'abstain']).toContain(detail.verifier!.kind);
    // Its GQ is the model's own calibration's, not the statistical genotyper's.
    expect(detail.provenance.learnedCalibration).toContain("genomeltm-moe-small's raw GQ");
    expect(detail.calibration).toBe(detail.provenance.learnedCalibration);
    expect(detail.provenance.calibration).not.toBe(detail.provenance.learnedCalibration);
  });

  it('shows a call of the statistical genotyper (--statistical) as such: no experts, no verifier, not missing data', async () => {
    const statisticalDir = await analyzeDemo(join(dir, 'analysis-statistical'), ['--statistical']);
    const { runId: statisticalRun } = await engine.handle('analysis.import', { dir: statisticalDir });
    const page: CallPage = await engine.handle('calls.list', { runId: statisticalRun, offset: 0, limit: 1000 });
    expect(page.rows.length).toBeGreaterThan(0);
    for (const row of page.rows) {
      expect(row.modelId).toBe('stat-diploid/1');
      expect(row.experts).toBeNull();
      expect(row.verifier).toBeNull();
    }
    const detail: CallDetail = await engine.handle('call.get', { runId: statisticalRun, callId: page.rows[0]!.id });
    expect(detail.provenance.learnedCalibration).toBeNull();
    expect(detail.calibration).toBe(detail.provenance.calibration);
  }, 120_000);

  it('gives the genome view the abstention regions with their reasons, and file URLs without paths', async () => {
    const ws = await engine.handle('review.workspace', { runId });
    expect(ws.abstentions.length).toBeGreaterThan(0);
    expect(Object.keys(ws.abstainReasonText)).toContain(ws.abstentions[0]!.reason);
    expect(ws.contigs).toEqual([{ name: 'q', length: 12356 }]);
    for (const url of Object.values(ws.urls)) if (url) expect(url).toMatch(new RegExp(`^files/${runId}/[a-z-]+/[^/]+$`));
  });

  it('refuses a folder that is not an analysis output, naming it', async () => {
    await expect(engine.handle('analysis.import', { dir: join(dir, 'nowhere') })).rejects.toMatchObject({ detail: { code: 'file-not-found' } });
    await expect(engine.handle('analysis.import', { dir })).rejects.toThrow(/no \.vcf\.gz/);
  });
});

describe('reviews and the audit log', () => {
  it('records a review and an audit line together, and keeps both across a restart', async () => {
    const outcome = await engine.handle('review.set', { runId, callId: 1, status: 'accepted', note: 'clean; both strands', reviewer: 'Dr. A. Reviewer' });
    expect(outcome.call.reviewStatus).toBe('accepted');
    await engine.handle('review.set', { runId, callId: 2, status: 'rejected', note: 'reads; mis=mapped, %odd', reviewer: 'B' });
    await engine.handle('review.set', { runId, callId: 2, status: 'uncertain', note: 'second look', reviewer: 'B' });
    await engine.close();
    engine = openEngine();
    const detail = await engine.handle('call.get', { runId, callId: 1 });
    expect(detail.review).toMatchObject({ status: 'accepted', reviewer: 'Dr. A. Reviewer', note: 'clean; both strands' });
    const history = await engine.handle('review.history', { runId, callId: 2 });
    expect(history.map((h) => [h.previousStatus, h.status])).toEqual([
      ['unreviewed', 'rejected'],
      ['rejected', 'uncertain'],
    ]);
    const page = await engine.handle('calls.list', { runId, offset: 0, limit: 10, filter: { review: ['accepted'] } });
    expect(page.rows.map((r) => r.id)).toEqual([1]);
  });

  it('the database itself refuses to change or delete audit lines', () => {
    const db = engine.store.connection;
    expect(() => db.prepare("UPDATE review_audit SET note = 'edited'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM review_audit').run()).toThrow(/append-only/);
  });

  it('refuses a review without a reviewer or with an unknown status', async () => {
    await expect(engine.handle('review.set', { runId, callId: 1, status: 'accepted', note: '', reviewer: '  ' })).rejects.toThrow(/reviewer/);
    await expect(engine.handle('review.set', { runId, callId: 1, status: 'maybe' as 'accepted', note: '', reviewer: 'x' })).rejects.toThrow(/status/);
    await expect(engine.handle('review.set', { runId, callId: 99999, status: 'accepted', note: '', reviewer: 'x' })).rejects.toMatchObject({ detail: { code: 'not-found' } });
  });
});

describe('exports', () => {
  it('writes a reviewed VCF that bcftools and tabix read, with the review in each record and in the header', async () => {
    const result = await engine.handle('export.reviewedVcf', { runId });
    expect(result.reviewed).toBe(2);
    expect(result.url).toMatch(/^files\/.+\/reviewed-vcf\/NA12878\.reviewed\.vcf\.gz$/);
    const header = execFileSync('bcftools', ['view', '-h', result.path], { encoding: 'utf8' });
    expect(header).toContain('##INFO=<ID=REVIEW,');
    expect(header).toContain('##FILTER=<ID=Rejected,');
    const records = execFileSync('bcftools', ['view', '-H', result.path], { encoding: 'utf8' }).trim().split('\n');
    expect(records[1]).toContain('REVIEW=accepted;REVIEWER=Dr.%20A.%20Reviewer');
    expect(records[1]).toContain('REVIEW_NOTE=clean%3B%20both%20strands');
    expect(records[2]).toContain('REVIEW=uncertain');
    expect(records[0]).toContain('REVIEW=unreviewed');
    // bcftools parses the new INFO keys (it would warn and drop undefined ones).
    const queried = execFileSync('bcftools', ['query', '-i', 'INFO/REVIEW="accepted"', '-f', '%POS\\t%INFO/REVIEWER\\n', result.path], { encoding: 'utf8' });
    expect(queried.trim().split('\t')[1]).toBe('Dr.%20A.%20Reviewer');
    const [contig, pos] = records[1]!.split('\t');
    const viaIndex = execFileSync('tabix', [result.path, `${contig}:${pos}-${pos}`], { encoding: 'utf8' });
    expect(viaIndex).toContain('REVIEW=accepted');
  });

  it('marks a rejected call FILTER=Rejected so PASS-only pipelines drop it', async () => {
    await engine.handle('review.set', { runId, callId: 3, status: 'rejected', note: '', reviewer: 'C' });
    const result = await engine.handle('export.reviewedVcf', { runId });
    const filters = execFileSync('bcftools', ['query', '-f', '%FILTER\\t%INFO/REVIEW\\n', result.path], { encoding: 'utf8' }).trim().split('\n');
    expect(filters[3]).toBe('Rejected\trejected');
  });

  it('writes a self-contained HTML report: no script, no external reference, CSP by hash', async () => {
    const result = await engine.handle('export.report', { runId });
    const html = readFileSync(result.path, 'utf8');
    expect(html).toContain('Content-Security-Policy');
    expect(html).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(?:src|href)\s*=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('Risk–coverage');
    expect(html).toContain('Calibration');
    expect(html).toContain('Dr. A. Reviewer');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  });
});

describe('deleting a run', () => {
  it('needs the confirmation, removes the run and its calls, keeps the user folder and the audit log', async () => {
    await expect(engine.handle('run.delete', { runId, confirm: 'yes' })).rejects.toThrow(/confirm/);
    const deletion = await engine.handle('run.delete', { runId, confirm: runId });
    expect(deletion).toMatchObject({ deleted: true, removedFiles: false, keptDir: analysisDir });
    expect(existsSync(join(analysisDir, 'NA12878.vcf.gz'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'review', runId))).toBe(false);
    expect((await engine.handle('runs.list', {})).some((r) => r.id === runId)).toBe(false);
    await expect(engine.handle('calls.list', { runId, offset: 0, limit: 10 })).rejects.toMatchObject({ detail: { code: 'not-found' } });
    const history = await engine.handle('review.history', { runId });
    expect(history.at(-1)?.action).toBe('run.deleted');
    expect(history.filter((h) => h.action === 'review.set')).toHaveLength(4);
  });
});
