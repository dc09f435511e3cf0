// The delete confirmation names what goes and what stays; each kind of run leaves different
// things behind, and the user decides on these words.
import { describe, expect, it } from 'vitest';
import type { AlignRunOutputs, RunInputRef } from '../../../app/contract.ts';
import { describeRunDeletion } from '../../../renderer/src/components/runDeletion.js';
import { detail, summary } from './fixtures.js';

const input = (path: string): RunInputRef => ({ path, name: path.split('/').pop() ?? path, sizeBytes: 1000 });

const alignment: AlignRunOutputs = {
  outputDir: '/home/g/runs/a1',
  bam: '/home/g/runs/a1/reads.bam',
  bamIndex: '/home/g/runs/a1/reads.bam.bai',
  referencePath: '/data/ref.fa',
  referenceSha256: 'a'.repeat(64),
  summary: {
    source: 'aligned',
    preset: 'sr',
    presetDetected: true,
    detectedPlatform: null,
    paired: true,
    reads: 220,
    mapped: 218,
    mappedFraction: 218 / 220,
    properlyPairedFraction: 0.97,
    secondary: 0,
    supplementary: 1,
    lowMappingRate: false,
    lowMappingThreshold: 0.5,
    warnings: [],
    seconds: 1,
  },
};

describe('describeRunDeletion', () => {
  it('names the BAM and BAI of a finished align run, and keeps its reads and reference', () => {
    const inputs = [input('/data/r_R1.fq'), input('/data/r_R2.fq'), input('/data/ref.fa')];
    const run = detail({ id: 'a1', kind: 'align', status: 'done', inputs, alignment, config: { platform: 'auto', detectionReads: 100, referencePath: '/data/ref.fa' } });
    const text = describeRunDeletion(run, run);
    expect(text.removes).toMatch(/the BAM and its BAI index/);
    expect(text.deletedFiles).toEqual(['/home/g/runs/a1/reads.bam', '/home/g/runs/a1/reads.bam.bai']);
    expect(text.keeps).toMatch(/reads and the reference stay/);
    expect(text.keptFiles).toEqual(['/data/r_R1.fq', '/data/r_R2.fq', '/data/ref.fa']);
  });

  it('says an imported BAM stays, and that an unfinished align run left no BAM', () => {
    const imported = detail({ id: 'a2', kind: 'align', status: 'done', alignment, config: { platform: 'auto', detectionReads: 100, bamPath: '/data/peer.bam' } });
    expect(describeRunDeletion(imported, imported).keeps).toMatch(/BAM you imported/);
    const cancelled = summary({ id: 'a3', kind: 'align', status: 'cancelled' });
    const text = describeRunDeletion(cancelled);
    expect(text.removes).toMatch(/left no BAM/);
    expect(text.deletedFiles).toEqual([]);
  });

  it('names calls and reviews for an analysis run, and the QC report for a QC run', () => {
    expect(describeRunDeletion(summary({ id: 'r1', kind: 'analyze', status: 'done' })).removes).toMatch(/imported calls and their current reviews/);
    expect(describeRunDeletion(summary({ id: 'r2', kind: 'analyze', status: 'failed' })).removes).toMatch(/did not finish/);
    const qc = describeRunDeletion(summary({ id: 'q1', kind: 'qc', status: 'done' }));
    expect(qc.removes).toMatch(/QC report/);
    expect(qc.keptFiles).toEqual(['/data/q1.fq']);
  });
});
