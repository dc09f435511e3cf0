/**
 * Real-data regression for calls that spell a truth haplotype with other records
 * (tests/fixtures/compare/chr20-representation, see its README): GRCh37 chr20 slices, the
 * 1000 Genomes HG00096 truth records there, and the caller's representations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareParsed } from '../../../engine/compare/compare.js';
import { referenceFromSequences } from '../../../engine/compare/reference.js';
import type { CompareReport, VariantVerdict } from '../../../engine/compare/types.js';
import { parseVcfText } from '../../../engine/compare/vcf.js';
import { contigFromSlices } from './helpers.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/compare/chr20-representation');

/** Contig 20 at its real coordinates, N outside the fixture's slices. */
function chr20FromSlices(): string {
  return contigFromSlices(readFileSync(join(FIXTURE, 'ref-slices.fa'), 'utf8'));
}

const read = (name: string): string => readFileSync(join(FIXTURE, name), 'utf8');

/** calls-respelled.vcf with the genotypes of its 2,633,378 insertion and 2,633,404 SNV replaced. */
function respelledWithGenotypes(insertionGt: string, snvGt: string): string {
  return read('calls-respelled.vcf')
    .split('\n')
    .map((line) => {
      const fields = line.split('\t');
      if (fields[1] === '2633378') fields[9] = insertionGt;
      if (fields[1] === '2633404') fields[9] = snvGt;
      return fields.join('\t');
    })
    .join('\n');
}

async function compareFixture(callsFile: string, callsText = read(callsFile)): Promise<CompareReport> {
  return compareParsed(
    {
      reference: referenceFromSequences({ '20': chr20FromSlices() }),
      truth: parseVcfText(read('truth.vcf'), 'truth.vcf', 'HG00096'),
      calls: parseVcfText(callsText, callsFile),
      regions: null,
      depthTrack: null,
    },
    { includeVariants: true },
  );
}

function verdictAt(report: CompareReport, side: 'truth' | 'call', pos: number, alt: string): VariantVerdict['verdict'] | undefined {
  return report.variants?.find((v) => v.side === side && v.pos === pos && v.alt === alt)?.verdict;
}

describe('calls spelling the truth haplotype with other records (chr20 slices)', () => {
  it('reads the slices back at their coordinates', () => {
    const contig = chr20FromSlices();
    // REF of the truth records, as in GRCh37.
    expect(contig.slice(2633378 - 1, 2633378)).toBe('A');
    expect(contig.slice(2633398 - 1, 2633398 - 1 + 7)).toBe('GGCCTGC');
    expect(contig.slice(2534184 - 1, 2534184)).toBe('T');
  });

  it('scores insertion + SNV against insertion + deletion (2,633,378) and insertion + deletion against one insertion (2,534,184) as TP', async () => {
    const report = await compareFixture('calls-respelled.vcf');
    expect(report.skipped.truth.refMismatch + report.skipped.calls.refMismatch).toBe(0);
    expect(verdictAt(report, 'truth', 2633378, 'AGAGCCTGGGCCT')).toBe('TP');
    expect(verdictAt(report, 'truth', 2633398, 'G')).toBe('TP');
    expect(verdictAt(report, 'call', 2633378, 'AGAGCCT')).toBe('TP');
    expect(verdictAt(report, 'call', 2633404, 'G')).toBe('TP');
    expect(verdictAt(report, 'truth', 2534184, 'TGTTTTGTGTGAC')).toBe('TP');
    expect(verdictAt(report, 'call', 2534185, 'GTTTTGTGTGACGT')).toBe('TP');
    expect(verdictAt(report, 'call', 2534185, 'G')).toBe('TP');
    // The truth SNV at 2,633,404 sits inside the truth deletion on the same haplotype, so no
    // truth haplotype carries both; the deletion's haplotype is the one the calls spell.
    expect(verdictAt(report, 'truth', 2633404, 'G')).toBe('FN');
    // No call record is left unmatched, and the match is across representations.
    expect(report.variants?.filter((v) => v.side === 'call' && v.verdict === 'FP')).toEqual([]);
    expect(report.matching.truthMatchedAcrossRepresentations).toBeGreaterThanOrEqual(3);
    expect(report.matching.windowsFallback).toBe(0);
  });

  it('matches the phased spelling on one haplotype, and not the phased spelling across both', async () => {
    const sameHaplotype = await compareFixture('calls-respelled.vcf', respelledWithGenotypes('0|1', '0|1'));
    expect(verdictAt(sameHaplotype, 'call', 2633378, 'AGAGCCT')).toBe('TP');
    expect(verdictAt(sameHaplotype, 'truth', 2633398, 'G')).toBe('TP');
    // Insertion and SNV phased onto different haplotypes spell no truth haplotype; the SNV
    // alone is then the truth SNV record.
    const acrossHaplotypes = await compareFixture('calls-respelled.vcf', respelledWithGenotypes('0|1', '1|0'));
    expect(verdictAt(acrossHaplotypes, 'call', 2633378, 'AGAGCCT')).toBe('FP');
    expect(verdictAt(acrossHaplotypes, 'truth', 2633378, 'AGAGCCTGGGCCT')).toBe('FN');
    expect(verdictAt(acrossHaplotypes, 'truth', 2633398, 'G')).toBe('FN');
    expect(verdictAt(acrossHaplotypes, 'truth', 2633404, 'G')).toBe('TP');
  });

  it('still scores an insertion that does not spell a truth haplotype as FP, and the truth as FN', async () => {
    const report = await compareFixture('calls-insertions-only.vcf');
    expect(verdictAt(report, 'call', 2633378, 'AGAGCCT')).toBe('FP');
    expect(verdictAt(report, 'call', 2534185, 'GTTTTGTGTGACGT')).toBe('FP');
    expect(verdictAt(report, 'truth', 2633378, 'AGAGCCTGGGCCT')).toBe('FN');
    expect(verdictAt(report, 'truth', 2633398, 'G')).toBe('FN');
    expect(verdictAt(report, 'truth', 2534184, 'TGTTTTGTGTGAC')).toBe('FN');
  });
});
