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
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
export { seededRandom } from '../engine/util/seeded-random.js';
import { seededRandom } from '../engine/util/seeded-random.js';

export interface IlluminaGeneratorOptions {
  /** Stop once the compressed output reaches this many bytes (for .gz) or raw bytes (plain). */
  targetBytes: number;
  seed: number;
  readLength?: number;
  /** 1 or 2: which mate's comment to write. */
  mate?: 1 | 2;
  gzip?: boolean;
}

/** bcl2fastq's default `--fastq-compression-level`, so the files resemble what sequencers hand out. */
export const GZIP_LEVEL = 4;
const GENOME_LENGTH = 4_000_000;
const BASES = Buffer.from('ACGT');
const COMPLEMENT = new Uint8Array(256).fill(78 /* N */);
for (const [base, complement] of [['A', 'T'], ['C', 'G'], ['G', 'C'], ['T', 'A']] as const) {
  COMPLEMENT[base.charCodeAt(0)] = complement.charCodeAt(0);
}
const QUALITY_HIGH = 'F'.charCodeAt(0);
const QUALITY_MID = ':'.charCodeAt(0);
const QUALITY_LOW = ','.charCodeAt(0);
const QUALITY_N = '#'.charCodeAt(0);
const BASE_N = 'N'.charCodeAt(0);

function randomGenome(random: () => number): Uint8Array {
  const genome = new Uint8Array(GENOME_LENGTH);
  for (let i = 0; i < GENOME_LENGTH; i++) {
    const r = random();
    genome[i] = r < 0.295 ? 65 : r < 0.59 ? 84 : r < 0.795 ? 71 : 67;
  }
  return genome;
}

export interface GeneratedFastq {
  records: number;
  /** Size of the FASTQ text before compression. */
  uncompressedBytes: number;
}

/**
 * Writes the file. Output is a pure function of the options (same seed and target → same bytes),
 * so cached files stay valid between runs. Records are assembled as bytes (not strings per base)
 * so that ~2 GB of FASTQ takes seconds, not minutes.
 */
export async function generateIlluminaFastq(path: string, options: IlluminaGeneratorOptions): Promise<GeneratedFastq> {
  const random = seededRandom(options.seed);
  const readLength = options.readLength ?? 151;
  const mate = options.mate ?? 1;
  const genome = randomGenome(random);
  const file = createWriteStream(path);
  const gzip = options.gzip === false ? null : createGzip({ level: GZIP_LEVEL });
  const sink = gzip ?? file;
  if (gzip) gzip.pipe(file);
  const written = (): number => file.bytesWritten + file.writableLength;

  const recordsPerBlock = 4000;
  const maxRecordBytes = 100 + 2 * readLength + 4;
  let records = 0;
  let uncompressedBytes = 0;
  let tile = 1101;
  let y = 1000;
  while (written() < options.targetBytes) {
    const block = Buffer.allocUnsafe(recordsPerBlock * maxRecordBytes);
    let at = 0;
    for (let k = 0; k < recordsPerBlock; k++) {
      records++;
      y += 1 + Math.floor(random() * 40);
      if (y > 36000) {
        y = 1000;
        tile = tile % 100 === 78 ? tile + 23 : tile + 1;
      }
      const x = 1000 + Math.floor(random() * 30000);
      at += block.write(`@A00123:456:HCLJKDSXY:1:${tile}:${x}:${y} ${mate}:N:0:ACGTACGT+TGCATGCA\n`, at, 'latin1');
      const start = Math.floor(random() * (GENOME_LENGTH - readLength));
      const reverse = random() < 0.5;
      const sequenceAt = at;
      const qualityAt = at + readLength + 3;
      for (let i = 0; i < readLength; i++) {
        let base = reverse ? COMPLEMENT[genome[start + readLength - 1 - i]!]! : genome[start + i]!;
        // Binned NovaSeq quality: the chance of a lower bin grows along the read.
        const decay = i / readLength;
        const r = random();
        let quality = r < 0.004 + 0.01 * decay ? QUALITY_LOW : r < 0.03 + 0.12 * decay ? QUALITY_MID : QUALITY_HIGH;
        if (r > 0.9995) {
          base = BASE_N;
          quality = QUALITY_N;
        } else if (quality === QUALITY_LOW && random() < 0.1) {
          base = BASES[Math.floor(random() * 4)]!;
        }
        block[sequenceAt + i] = base;
        block[qualityAt + i] = quality;
      }
      block[sequenceAt + readLength] = 10;
      block[sequenceAt + readLength + 1] = 43;
      block[sequenceAt + readLength + 2] = 10;
      block[qualityAt + readLength] = 10;
      at = qualityAt + readLength + 1;
    }
    uncompressedBytes += at;
    if (!sink.write(block.subarray(0, at))) await once(sink, 'drain');
  }
  sink.end();
  await once(file, 'finish');
  return { records, uncompressedBytes };
}
