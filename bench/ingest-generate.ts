/**
 * Deterministic Illumina-like FASTQ.gz generator for the ingest benchmark (and the memory test).
 *
 * The records look like a NovaSeq 2×151 run: Casava 1.8 names with the ` 1:N:0:index` comment,
 * reads sampled from a random genome (41% GC) with a few sequencing errors, binned NovaSeq
 * qualities (F/:/,/# = Q37/Q25/Q11/Q2) that degrade along the read, and the odd N with '#'.
 * What matters for a fair benchmark is that gzip sees realistic redundancy (so the compression
 * ratio, and therefore the inflate cost per compressed byte, resembles real files) and that the
 * parser sees realistic record shapes; both hold here.
 */
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';

/** mulberry32: tiny, fast, deterministic; good enough for synthetic reads. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface IlluminaGeneratorOptions {
  /** Stop once the compressed output reaches this many bytes (for .gz) or raw bytes (plain). */
  targetBytes: number;
  seed: number;
  readLength?: number;
  /** 1 or 2: which mate's comment to write. */
  mate?: 1 | 2;
  gzip?: boolean;
}

const GENOME_LENGTH = 4_000_000;
const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A' };

function randomGenome(random: () => number): string {
  const bases: string[] = new Array<string>(GENOME_LENGTH);
  for (let i = 0; i < GENOME_LENGTH; i++) {
    const r = random();
    bases[i] = r < 0.295 ? 'A' : r < 0.59 ? 'T' : r < 0.795 ? 'G' : 'C';
  }
  return bases.join('');
}

function reverseComplement(sequence: string): string {
  let out = '';
  for (let i = sequence.length - 1; i >= 0; i--) out += COMPLEMENT[sequence[i]!] ?? 'N';
  return out;
}

/** Binned NovaSeq quality for one base; the chance of a lower bin grows along the read. */
function binnedQuality(random: () => number, cycle: number, readLength: number): string {
  const decay = cycle / readLength;
  const r = random();
  if (r < 0.004 + 0.01 * decay) return ',';
  if (r < 0.03 + 0.12 * decay) return ':';
  return 'F';
}

/**
 * Writes the file and resolves with the number of records written. Output is a pure function of
 * the options (same seed and target → same bytes), so cached files stay valid between runs.
 */
export async function generateIlluminaFastq(path: string, options: IlluminaGeneratorOptions): Promise<number> {
  const random = seededRandom(options.seed);
  const readLength = options.readLength ?? 151;
  const mate = options.mate ?? 1;
  const genome = randomGenome(random);
  const file = createWriteStream(path);
  const gzip = options.gzip === false ? null : createGzip({ level: 6 });
  const sink = gzip ?? file;
  if (gzip) gzip.pipe(file);
  const written = (): number => (gzip ? file.bytesWritten + file.writableLength : file.bytesWritten + file.writableLength);

  let records = 0;
  let tile = 1101;
  let y = 1000;
  const lines: string[] = [];
  while (written() < options.targetBytes) {
    for (let k = 0; k < 2000; k++) {
      records++;
      y += 1 + Math.floor(random() * 40);
      if (y > 36000) {
        y = 1000;
        tile = tile % 100 === 78 ? tile + 23 : tile + 1;
      }
      const x = 1000 + Math.floor(random() * 30000);
      const start = Math.floor(random() * (GENOME_LENGTH - readLength));
      let sequence = genome.slice(start, start + readLength);
      if (random() < 0.5) sequence = reverseComplement(sequence);
      let bases = '';
      let quals = '';
      for (let i = 0; i < readLength; i++) {
        const q = binnedQuality(random, i, readLength);
        let base = sequence[i]!;
        if (random() < 0.0005) {
          base = 'N';
          quals += '#';
          bases += base;
          continue;
        }
        if (q === ',' && random() < 0.1) base = 'ACGT'[Math.floor(random() * 4)]!;
        bases += base;
        quals += q;
      }
      lines.push(`@A00123:456:HCLJKDSXY:1:${tile}:${x}:${y} ${mate}:N:0:ACGTACGT+TGCATGCA\n${bases}\n+\n${quals}\n`);
    }
    const text = lines.join('');
    lines.length = 0;
    if (!sink.write(text)) await once(sink, 'drain');
  }
  sink.end();
  await once(file, 'finish');
  return records;
}

/** Size on disk, or -1 when absent. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}
