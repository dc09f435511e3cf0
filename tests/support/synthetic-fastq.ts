/**
 * Deterministic Illumina-like FASTQ for host-level tests (UI, server, CLI), where what matters
 * is size and shape rather than a platform's real error profile (the ingest tests use real
 * simulators and real reads for that).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** xorshift32: fixed seed, same file every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export function syntheticIlluminaRecords(count: number, readLength = 150, seed = 7, mate: 1 | 2 | null = null): string {
  const next = rng(seed);
  const bases = 'ACGT';
  let out = '';
  for (let i = 0; i < count; i++) {
    let seq = '';
    let qual = '';
    for (let j = 0; j < readLength; j++) {
      seq += bases[Math.floor(next() * 4)];
      // Quality falls off along the read, as on a real flow cell.
      const q = Math.max(2, Math.min(41, Math.round(38 - (j / readLength) * 10 + (next() - 0.5) * 8)));
      qual += String.fromCharCode(33 + q);
    }
    const comment = mate ? ` ${mate}:N:0:ACGTACGT` : '';
    out += `@A00123:8:H7KJ2DSXY:1:1101:${1000 + i}:${2000 + (i % 997)}${comment}\n${seq}\n+\n${qual}\n`;
  }
  return out;
}

/** Writes `count` records in chunks so a large file never sits in memory whole. */
export async function writeSyntheticFastq(path: string, count: number, readLength = 150): Promise<void> {
  const out = createWriteStream(path);
  const chunk = 5000;
  for (let done = 0; done < count; done += chunk) {
    const text = syntheticIlluminaRecords(Math.min(chunk, count - done), readLength, 7 + done);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * A large file made fast: one block of records written again and again until `targetBytes`.
 * For tests that need a run to last long enough to watch its progress and cancel it.
 */
export async function writeLargeFastq(path: string, targetBytes: number): Promise<void> {
  const block = Buffer.from(syntheticIlluminaRecords(5000));
  const out = createWriteStream(path);
  for (let written = 0; written < targetBytes; written += block.length) {
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
