/**
 * Read-backed phasing (issue 5: ONT indels). The tile's confident het SNVs phase the reads, and
 * uncertain loci are genotyped again with each read's haplotype.
 *
 * Fixture (tests/fixtures/call/README.md): every primary read of the kit's minimap2 ONT BAM
 * over chr20:2,171,346 (train-2m), truth TA>T 1|0 at the end of a T run, 65 het SNVs under the
 * reads. Unphased, each read scores the −T against the mixture ½·L(alt) + ½·L(ref) and the
 * locus stayed hom-ref; phased, it is called.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultCallConfigPath, loadCallerConfig } from '../../../engine/call/config.js';
import { phaseMarkers, ReadPhasing, type PhaseMarker, type ReadPhasingConfig } from '../../../engine/call/read-phasing.js';
import { runCall } from './fixture.js';
import { kitSlice, type KitSlice } from './kit-slice.js';

const SITE = 2_171_346;
const CONFIG: ReadPhasingConfig = { markerMinGq: 30, alleleError: 0.1, minLinkReads: 3, maxLinkDiscordance: 0.2, maxReadConfidence: 0.99 };

function marker(pos: number, alleles: Record<string, 0 | 1>): PhaseMarker {
  return { pos, alleles: new Map(Object.entries(alleles)) };
}

describe('phase blocks and read phases', () => {
  // Reads a, b, c on one haplotype, x, y, z on the other; marker 200's ALT is on x/y/z's side.
  const markers = [
    marker(100, { a: 1, b: 1, c: 1, x: 0, y: 0, z: 0 }),
    marker(200, { a: 0, b: 0, c: 0, x: 1, y: 1, z: 1 }),
    marker(300, { a: 1, b: 1, c: 1, x: 0, y: 0, z: 1 }),
    // No read links it to 300: a new block.
    marker(5000, { p: 1, q: 0 }),
  ];

  it('chains neighbours the reads connect consistently, with the ALTs oriented', () => {
    const phased = phaseMarkers(markers, CONFIG);
    expect(phased.map((m) => [m.pos, m.block, m.altOnHap0])).toEqual([
      [100, 0, true],
      [200, 0, false],
      // 5 of 6 reads agree (1 discordant ≤ 20 %): linked, ALT with 100's.
      [300, 0, true],
      [5000, 1, true],
    ]);
  });

  it('gives each read the probability of haplotype 0 from the markers outside the locus', () => {
    const phasing = new ReadPhasing(markers, CONFIG);
    const all = phasing.phasesFor(['a', 'x', 'z', 'nobody'], 0, 0);
    // Three markers each way: capped at maxReadConfidence.
    expect(all.get('a')!.block).toBe(0);
    expect(all.get('a')!.p0).toBeCloseTo(0.99, 9);
    expect(all.get('x')!.p0).toBeCloseTo(0.01, 9);
    // z: two markers for haplotype 1, one against: log10 odds −log10(9) → p0 = 0.1.
    expect(all.get('z')!.p0).toBeCloseTo(0.1, 6);
    expect(all.has('nobody')).toBe(false);
    // Excluding 100 and 200 (the locus itself), z is phased by 300 alone, and to the other side.
    expect(phasing.phasesFor(['z'], 100, 201).get('z')!.p0).toBeCloseTo(0.9, 6);
    // Nothing outside the locus: unphased.
    expect(phasing.phasesFor(['p'], 4000, 6000).size).toBe(0);
  });
});

describe('a het indel the phases separate', () => {
  let dir: string;
  let slice: KitSlice;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'genomaic-read-phasing-'));
    slice = kitSlice(`ont-phased-indel-chr20_${SITE}`, dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function callWith(config: string, name: string): Promise<string> {
    const vcf = join(dir, `${name}.vcf.gz`);
    const r = await runCall(['--ref', slice.reference, slice.bam, '-o', vcf, '--config', config, '--no-calibration', '--region', `20:${SITE - 15000}-${SITE + 15000}`]);
    expect(r.code, r.stderr).toBe(0);
    const norm = spawnSync('bcftools', ['norm', '--check-ref', 'e', '-f', slice.reference, '-Ov', '-o', '/dev/null', vcf], { encoding: 'utf8' });
    expect(norm.status, norm.stderr).toBe(0);
    return execFileSync('bcftools', ['query', '-i', `POS>=${SITE - 5} && POS<=${SITE + 20} && GT!="0/0"`, '-f', '%POS\t%REF\t%ALT\t[%GT]\t%INFO/GM\n', vcf], { encoding: 'utf8' }).trim();
  }

  it('is called 0/1 with the ONT preset, which phases reads, and not without phasing', async () => {
    const presetPath = defaultCallConfigPath('ont');
    const preset = parse(readFileSync(presetPath, 'utf8')) as Record<string, unknown>;
    expect(loadCallerConfig(presetPath).readPhasing).toBeDefined();
    delete preset.readPhasing;
    const unphasedPath = join(dir, 'ont-unphased.yaml');
    writeFileSync(unphasedPath, stringify(preset));
    // INFO/GM says the reads' phases were used (the provenance of the call).
    expect(await callWith(presetPath, 'phased')).toBe(`${SITE}\tTA\tT\t0/1\tphased`);
    expect(await callWith(unphasedPath, 'unphased')).toBe('');
  });
});
