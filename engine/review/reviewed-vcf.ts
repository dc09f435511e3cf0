/**
 * The reviewed VCF: the run's own VCF, record for record, with each record's review in INFO
 * (REVIEW, REVIEWER, REVIEWED_AT, REVIEW_NOTE; every key defined in the header) and
 * `FILTER=Rejected` on calls a reviewer rejected, so downstream tools that keep PASS drop
 * them. Written bgzipped with a .tbi through engine/formats (temp name, renamed when complete).
 */
import { join } from 'node:path';
import type { ReviewRecord, RunOutputs } from '../../app/contract.js';
import { readBgzfFile } from '../formats/bgzf.js';
import { TabixIndexedWriter } from '../formats/tabix-index.js';

export interface ReviewExportPaths {
  dir: string;
  vcf: string;
  vcfIndex: string;
  report: string;
}

/** Exports live in the data folder, never in the user's output folder. */
export function reviewExportPaths(dataDir: string, runId: string, sample: string): ReviewExportPaths {
  const dir = join(dataDir, 'review', runId, 'exports');
  const stem = sample.replace(/[^A-Za-z0-9._+-]/g, '_') || 'calls';
  return { dir, vcf: join(dir, `${stem}.reviewed.vcf.gz`), vcfIndex: join(dir, `${stem}.reviewed.vcf.gz.tbi`), report: join(dir, `${stem}.report.html`) };
}

/**
 * Percent-encodes what an INFO string value may not hold (VCF 4.3 §1.2: `%3A`-style escapes
 * for `;`, `=`, `,`, `%` and whitespace), so any note round-trips through bcftools.
 */
export function encodeInfoValue(text: string): string {
  return text.replace(/[%;=,:\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function decodeInfoValue(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export const REVIEW_HEADER_LINES: readonly string[] = [
  '##FILTER=<ID=Rejected,Description="A reviewer rejected this call in the GenomAIc review workstation (INFO/REVIEW=rejected)">',
  '##INFO=<ID=REVIEW,Number=1,Type=String,Description="Human review status: accepted, rejected, uncertain, or unreviewed">',
  '##INFO=<ID=REVIEWER,Number=1,Type=String,Description="Who recorded the review (percent-encoded, VCF 4.3 section 1.2)">',
  '##INFO=<ID=REVIEWED_AT,Number=1,Type=String,Description="When the review was recorded, ISO 8601 UTC (percent-encoded)">',
  '##INFO=<ID=REVIEW_NOTE,Number=1,Type=String,Description="The reviewer\'s note (percent-encoded, VCF 4.3 section 1.2)">',
];

export function reviewInfo(review: ReviewRecord | undefined): string {
  if (!review) return 'REVIEW=unreviewed';
  const parts = [`REVIEW=${review.status}`, `REVIEWER=${encodeInfoValue(review.reviewer)}`, `REVIEWED_AT=${encodeInfoValue(review.at)}`];
  if (review.note.trim() !== '') parts.push(`REVIEW_NOTE=${encodeInfoValue(review.note)}`);
  return parts.join(';');
}

/** One data line with its review applied (columns as written by engine/export/vcf.ts). */
export function reviewedRecordLine(line: string, review: ReviewRecord | undefined): string {
  const f = line.split('\t');
  if (review?.status === 'rejected') f[6] = f[6] === 'PASS' || f[6] === '.' ? 'Rejected' : `${f[6]};Rejected`;
  const info = reviewInfo(review);
  f[7] = f[7] === '.' || f[7] === '' ? info : `${f[7]};${info}`;
  return f.join('\t');
}

export interface ReviewedVcfSummary {
  records: number;
  reviewed: number;
  bytes: number;
}

export async function writeReviewedVcf(
  outputs: RunOutputs,
  reviews: ReadonlyMap<number, ReviewRecord>,
  destination: string,
  meta: { software: string; exportedAt: string; auditEntries: number },
): Promise<ReviewedVcfSummary> {
  const text = (await readBgzfFile(outputs.vcf)).toString('utf8');
  const writer = await TabixIndexedWriter.create(destination, 'vcf');
  let records = 0;
  let reviewed = 0;
  try {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('##')) {
        await writer.writeLine(line);
        continue;
      }
      if (line.startsWith('#')) {
        for (const header of REVIEW_HEADER_LINES) await writer.writeLine(header);
        await writer.writeLine(
          `##GenomAIc_review=<exportedAt=${meta.exportedAt},software="${meta.software}",reviewed=${reviews.size},auditEntries=${meta.auditEntries},source="${outputs.vcf.replace(/"/g, '')}">`,
        );
        await writer.writeLine(line);
        continue;
      }
      const review = reviews.get(records);
      if (review) reviewed += 1;
      await writer.writeLine(reviewedRecordLine(line, review));
      records += 1;
    }
    const summary = await writer.close();
    return { records, reviewed, bytes: summary.compressedBytes };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
