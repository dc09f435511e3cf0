/**
 * Platform detection on real reads (NA12878 HiSeq X, ONT R9 E. coli), on reads from the
 * simulators the model trains on (ART, pbsim: uninformative names, so length and quality must
 * decide), on hand-made fixtures with real-style names, and on conflicting evidence, where the
 * honest answer is 'unknown'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InputFileReport, PlatformEvidence } from '../../../app/contract.js';
import { classifyReadName, ingestFastqFiles, withPlatformOverride } from '../../../engine/ingest/index.js';
import { fastqText, fixture, hasTool, MT_REFERENCE_GZ, NANOTEST_ONT, run, skipMessage, tempFolder, type Record3 } from './helpers.js';

const temp = tempFolder();
afterAll(() => temp.cleanup());

async function detect(path: string, detectionReads?: number): Promise<PlatformEvidence> {
  const { files } = await ingestFastqFiles([path], detectionReads === undefined ? {} : { detectionReads });
  return files[0]!.detected;
}

function signal(evidence: PlatformEvidence, name: string): PlatformEvidence['signals'][number] {
  const found = evidence.signals.find((s) => s.name === name);
  expect(found, `signal ${name}`).toBeDefined();
  return found!;
}

describe('read-name conventions', () => {
  it.each([
    ['A00123:8:H7LKJDSXX:1:1101:10000:1000 1:N:0:ACGTACGT', 'illumina'],
    ['NB501234:55:HKWJ3BGXB:1:11101:10429:1044 2:N:0:1', 'illumina'],
    ['A00123:8:H7LKJDSXX:1:1101:10000:1000:ACGTACGT/1', 'illumina'],
    ['HWUSI-EAS100R:6:73:941:1973#0/1', 'illumina-legacy'],
    ['SRR001666.1 071112_SLXA-EAS1_s_7:5:1:817:345 length=36', 'illumina-legacy'],
    ['SRR5000000.1 1 length=151', 'uninformative'],
    ['read1 1:N:0:GATTACA', 'illumina'],
    ['m64011_190830_220126/1/ccs', 'pacbio-ccs'],
    ['m84011_220902_175841_s1/123456/ccs/fwd', 'pacbio-ccs'],
    ['m54006_160504_020705/4194374/0_11021', 'pacbio-subread'],
    ['m64011_190830_220126/77', 'pacbio'],
    ['b5b5833b-9341-4886-9ffd-7dd7f876c009 runid=9ff0fede read=33 ch=5 start_time=2017-03-03T02:22:25Z', 'ont'],
    ['0f7d8e9a-1b2c-4d3e-8f90-a1b2c3d4e5f6', 'ont'],
    ['20-1000/1', 'uninformative'],
    ['S1_1', 'uninformative'],
    ['MT_human-550/1', 'uninformative'],
  ])('classifies %s as %s', (header, style) => {
    expect(classifyReadName(header)).toBe(style);
  });
});

describe('detection on fixtures with real-style names and on real reads', () => {
  it('Illumina names + fixed 151 bp + high quality → illumina, names weighing most', async () => {
    const evidence = await detect(fixture('illumina_S1_L001_R1_001.fastq'));
    expect(evidence).toMatchObject({ platform: 'illumina', confidence: 1, readsInspected: 10 });
    expect(signal(evidence, 'read names')).toMatchObject({ suggests: 'illumina', weight: 0.6 });
    expect(signal(evidence, 'read names').value).toMatch(/^@A00123:8:H7LKJDSXX:1:1101:5943:1170 .*Illumina instrument:run:flowcell:lane:tile:x:y; 100% of 10\)$/);
  });

  it('real NA12878 HiSeq X reads renamed by samtools → illumina from length and quality alone', async () => {
    const evidence = await detect(fixture('na12878_chr22_R1.fastq'));
    expect(evidence.platform).toBe('illumina');
    expect(signal(evidence, 'read names')).toMatchObject({ suggests: 'unknown', weight: 0 });
    expect(signal(evidence, 'read length')).toMatchObject({ suggests: 'illumina', value: 'median 151 bp; 100% of reads are 151 bp (short, fixed length)' });
  });

  it('PacBio movie/zmw/ccs names + long accurate reads → hifi', async () => {
    const evidence = await detect(fixture('hifi_ccs.fastq'));
    expect(evidence).toMatchObject({ platform: 'hifi', confidence: 1 });
    expect(signal(evidence, 'read names').suggests).toBe('hifi');
  });

  it('real ONT R9 reads (fixture) → ont', async () => {
    expect(await detect(fixture('ont_r9.fastq'))).toMatchObject({ platform: 'ont', confidence: 1 });
  });

  it('real ONT R9 reads (nanoget example, 371 reads) → ont with every signal agreeing', async () => {
    if (!existsSync(NANOTEST_ONT)) {
      console.warn(`${NANOTEST_ONT} is absent (python3-nanoget-examples): skipped`);
      return;
    }
    const evidence = await detect(NANOTEST_ONT);
    expect(evidence).toMatchObject({ platform: 'ont', confidence: 1, readsInspected: 371 });
    for (const s of evidence.signals) expect(s.suggests).toBe('ont');
    expect(signal(evidence, 'mean base quality').value).toMatch(/^Q13\.2 /);
  });
});

describe('detection on simulated reads (uninformative names)', () => {
  let reference = '';
  beforeAll(() => {
    reference = join(temp.dir, 'MT-human.fa');
    execFileSync('sh', ['-c', `gzip -dc ${MT_REFERENCE_GZ} > ${reference}`]);
  });

  it('ART Illumina reads (@MT_human-550/1) → illumina', async () => {
    if (!hasTool('art_illumina')) {
      console.warn(skipMessage('art_illumina'));
      return;
    }
    const prefix = join(temp.dir, 'art_R');
    run('art_illumina', ['-ss', 'HS25', '-i', reference, '-p', '-l', '150', '-f', '10', '-m', '400', '-s', '50', '-rs', '1', '-na', '-o', prefix]);
    const { files, pairs } = await ingestFastqFiles([`${prefix}1.fq`, `${prefix}2.fq`]);
    expect(pairs).toHaveLength(1);
    for (const file of files) {
      expect(file.detected.platform).toBe('illumina');
      expect(signal(file.detected, 'read names').weight).toBe(0);
    }
  });

  it('pbsim HiFi-like reads (@S1_1, ~Q20) → hifi', async () => {
    if (!hasTool('pbsim')) {
      console.warn(skipMessage('pbsim'));
      return;
    }
    run(
      'pbsim',
      ['--data-type', 'CLR', '--model_qc', '/usr/share/pbsim/models/model_qc_clr', '--depth', '10', '--length-mean', '8000',
        '--accuracy-mean', '0.995', '--accuracy-min', '0.99', '--difference-ratio', '6:21:73', '--seed', '1', '--prefix', 'hifi', reference],
      temp.dir,
    );
    const evidence = await detect(join(temp.dir, 'hifi_0001.fastq'));
    expect(evidence.platform).toBe('hifi');
    expect(signal(evidence, 'mean base quality').suggests).toBe('hifi');
  });

  it('pbsim ONT-like reads (profile sampled from real R9 reads) → ont', async () => {
    if (!hasTool('pbsim') || !existsSync(NANOTEST_ONT)) {
      console.warn(skipMessage('pbsim (or the nanoget example reads)'));
      return;
    }
    const sample = join(temp.dir, 'sample.fastq');
    execFileSync('sh', ['-c', `gzip -dc ${NANOTEST_ONT} > ${sample}`]);
    run(
      'pbsim',
      ['--data-type', 'CLR', '--sample-fastq', sample, '--sample-profile-id', 'ontR9', '--difference-ratio', '23:31:46',
        '--depth', '10', '--seed', '2', '--prefix', 'ont', reference],
      temp.dir,
    );
    const simulated = readdirSync(temp.dir).find((f) => /^ont_0001\.fastq$/.test(f));
    const evidence = await detect(join(temp.dir, simulated!));
    expect(evidence.platform).toBe('ont');
    expect(signal(evidence, 'read names').weight).toBe(0);
  });
});

describe('conflicting or weak evidence → unknown', () => {
  /** Long, error-prone reads (ONT-like lengths and qualities) under a given naming scheme. */
  function longNoisyReads(name: (i: number) => string): Record3[] {
    return [2000, 9000, 1500, 30000, 4000].map((length, i) => {
      let quality = '';
      for (let j = 0; j < length; j++) quality += String.fromCharCode(33 + 5 + ((j * 7) % 9));
      return [name(i), 'ACGT'.repeat(length / 4), quality];
    });
  }

  it('Illumina names on long error-prone reads → unknown, with the conflict visible in the signals', async () => {
    const path = temp.write('conflict.fastq', fastqText(longNoisyReads((i) => `A00123:8:H7LKJDSXX:1:1101:${1000 + i}:2000 1:N:0:ACGT`)));
    const evidence = await detect(path);
    expect(evidence.platform).toBe('unknown');
    expect(signal(evidence, 'read names').suggests).toBe('illumina');
    expect(signal(evidence, 'mean base quality').suggests).toBe('ont');
  });

  it('PacBio CLR subread names (neither HiFi nor ONT) → unknown', async () => {
    const path = temp.write('clr.fastq', fastqText(longNoisyReads((i) => `m54006_160504_020705/${4194374 + i}/0_11021`)));
    const evidence = await detect(path);
    expect(evidence.platform).toBe('unknown');
    expect(signal(evidence, 'read names')).toMatchObject({ suggests: 'unknown', weight: 0.5 });
    expect(evidence.confidence).toBeGreaterThan(0);
  });

  it('placeholder qualities (one value everywhere) carry no weight', async () => {
    const path = temp.write('placeholder.fastq', fastqText([['r1', 'ACGT'.repeat(400), 'I'.repeat(1600)], ['r2', 'ACGT'.repeat(500), 'I'.repeat(2000)]]));
    const evidence = await detect(path);
    expect(signal(evidence, 'mean base quality')).toMatchObject({ suggests: 'unknown', weight: 0 });
  });
});

describe('detection options and overrides', () => {
  it('inspects only the first detectionReads reads', async () => {
    const evidence = await detect(fixture('illumina_S1_L001_R1_001.fastq'), 4);
    expect(evidence.readsInspected).toBe(4);
    expect(signal(evidence, 'read names').value).toContain('100% of 4');
  });

  it('a fixed platform overrides detection for every file but keeps the detected evidence', async () => {
    const { files } = await ingestFastqFiles([fixture('illumina_S1_L001_R1_001.fastq'), fixture('ont_r9.fastq')], { platform: 'hifi' });
    for (const file of files) expect(file).toMatchObject({ platform: 'hifi', platformOverridden: true });
    expect(files.map((f) => f.detected.platform)).toEqual(['illumina', 'ont']);
  });

  it('withPlatformOverride sets or restores the platform without touching its input', async () => {
    const { files } = await ingestFastqFiles([fixture('ont_r9.fastq')]);
    const original: InputFileReport = files[0]!;
    const frozen = structuredClone(original);
    const overridden = withPlatformOverride(original, 'illumina');
    expect(overridden).toMatchObject({ platform: 'illumina', platformOverridden: true });
    expect(overridden.detected).toEqual(original.detected);
    expect(original).toEqual(frozen);
    expect(withPlatformOverride(overridden, 'auto')).toMatchObject({ platform: 'ont', platformOverridden: false });
  });
});
