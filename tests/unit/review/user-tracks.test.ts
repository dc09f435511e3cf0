/**
 * Tracks from disk are checked before the genome view gets them, and a bad file is refused
 * with its path and the reason (not a silent empty track in IGV).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkUserTrack, trackFormatFromName } from '../../../engine/review/user-tracks.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-tracks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('user tracks', () => {
  it('knows the formats by name', () => {
    expect(trackFormatFromName('a.bw')).toBe('bigwig');
    expect(trackFormatFromName('a.bedGraph.gz')).toBe('bedgraph');
    expect(trackFormatFromName('a.bed')).toBe('bed');
    expect(trackFormatFromName('a.vcf.gz')).toBe('vcf');
    expect(trackFormatFromName('a.fastq')).toBeNull();
  });

  it('refuses a file named .bw that is not a bigWig, naming it and the reason', async () => {
    const path = file('fake.bw', 'track type=bedGraph\nq\t0\t10\t1\n');
    await expect(checkUserTrack(path)).rejects.toThrow(`${path}: not a bigWig file (the header magic number is wrong)`);
  });

  it('refuses a bigWig whose header is cut short, with @gmod/bbi’s reason', async () => {
    const header = Buffer.alloc(64);
    header.writeUInt32LE(0x888ffc26, 0);
    const path = file('truncated.bw', header);
    await expect(checkUserTrack(path)).rejects.toThrow(/the bigWig header cannot be read/);
  });

  it('accepts bedGraph and BED, and points at the bad line otherwise', async () => {
    expect(await checkUserTrack(file('cov.bedgraph', 'track type=bedGraph\nq\t0\t100\t5.5\nq\t100\t200\t7\n'))).toMatchObject({ format: 'bedgraph', indexPath: null });
    expect(await checkUserTrack(file('r.bed', '#x\nq\t10\t20\tname\n'))).toMatchObject({ format: 'bed' });
    await expect(checkUserTrack(file('bad.bedgraph', 'q\t0\t100\thigh\n\n'))).rejects.toThrow(/line 1: the value "high" is not a number/);
    await expect(checkUserTrack(file('bad.bed', 'chr1 start end\n\n'))).rejects.toThrow(/line 1 is not BED/);
  });

  it('accepts a VCF, using its index beside it when bgzipped', async () => {
    const vcf = file('calls.vcf', '##fileformat=VCFv4.2\n##contig=<ID=q,length=100>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nq\t5\t.\tA\tC\t50\tPASS\t.\n');
    expect(await checkUserTrack(vcf)).toMatchObject({ format: 'vcf', indexPath: null });
    execFileSync('bgzip', ['-k', '-f', vcf]);
    execFileSync('tabix', ['-f', '-p', 'vcf', `${vcf}.gz`]);
    expect(await checkUserTrack(`${vcf}.gz`)).toMatchObject({ format: 'vcf', indexPath: `${vcf}.gz.tbi` });
    await expect(checkUserTrack(file('notvcf.vcf', 'hello\n'))).rejects.toThrow(/not a VCF/);
  });

  it('says so when the file is missing, empty or of another kind', async () => {
    await expect(checkUserTrack(join(dir, 'missing.bw'))).rejects.toMatchObject({ detail: { code: 'file-not-found' } });
    await expect(checkUserTrack(file('empty.bed', ''))).rejects.toMatchObject({ detail: { code: 'empty-file' } });
    await expect(checkUserTrack(file('reads.fastq', '@r\nA\n+\nI\n'))).rejects.toThrow(/not a track format/);
  });
});
