/**
 * Throughput of the BGZF and BAM writers on 1M generated short-read records (150 bp, typical
 * tags), written to os.tmpdir(). Not a unit test (vitest does not pick it up); run it with
 *
 *   npx tsx tests/unit/formats/measure-throughput.ts [records] [level]
 *
 * It prints one JSON object: records/s and MB/s (uncompressed bytes in) for record encoding
 * alone (generation included; `generateOnly` is its cost), BGZF compression of the encoded stream alone, the full BAM + BAI writer, and the
 * external sort with a 256 MiB budget. Each phase reports wall-clock and CPU seconds (all
 * threads of the process, thread-pool compression included), since on a shared machine
 * wall-clock mostly measures the neighbours.
 */
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBamRecord, type BamRecordInput } from '../../../engine/formats/bam-record.js';
import { sortBam } from '../../../engine/formats/bam-sort.js';
import { BamWriter } from '../../../engine/formats/bam-writer.js';
import { BgzfWriter } from '../../../engine/formats/bgzf.js';
import { seededRandom } from './helpers.js';

const count = Number(process.argv[2] ?? 1_000_000);
const level = Number(process.argv[3] ?? 6);
const references = [
  { name: 'chr1', length: 248_956_422 },
  { name: 'chr2', length: 242_193_529 },
];

/**
 * Records generated on the fly, as an aligner would hand them over: holding a million
 * record objects in the harness would measure the garbage collector, not the writers.
 * `shuffled` gives random positions (sort input); otherwise positions ascend.
 */
function* generateRecords(shuffled: boolean): Generator<BamRecordInput> {
  const random = seededRandom(1);
  // A pool of sequences/qualities keeps generation cheap; positions and names vary per record.
  const pool = Array.from({ length: 1000 }, () => ({
    seq: Array.from({ length: 150 }, () => 'ACGT'[Math.floor(random() * 4)]).join(''),
    qual: Uint8Array.from({ length: 150 }, () => 20 + Math.floor(random() * 21)),
  }));
  let pos = 10_000;
  for (let i = 0; i < count; i++) {
    pos += Math.floor(random() * 200);
    const refId = i < count / 2 ? 0 : 1;
    if (i === Math.floor(count / 2)) pos = 10_000;
    const at = shuffled ? 10_000 + Math.floor(random() * 200_000_000) : pos;
    const { seq, qual } = pool[i % pool.length]!;
    yield {
      qname: `A00123:45:HXXXXDSXX:1:1101:${10000 + (i % 20000)}:${i}`,
      flag: (i & 1 ? 16 : 0) | 0x1 | 0x2 | (i & 2 ? 0x40 : 0x80),
      refId,
      pos: at,
      mapq: 60,
      cigar: i % 10 === 0 ? '70M2D80M' : '150M',
      nextRefId: refId,
      nextPos: at + 200,
      tlen: 350,
      seq,
      qual,
      tags: [
        { tag: 'NM', type: 'i', value: i % 10 === 0 ? 3 : 1 },
        { tag: 'MD', type: 'Z', value: i % 10 === 0 ? '40A29^AC80' : '75C74' },
        { tag: 'AS', type: 'i', value: 140 },
        { tag: 'RG', type: 'Z', value: 'sample1' },
      ],
    };
  }
}

/** Runs a phase, returning wall and CPU seconds. */
async function timed(phase: () => Promise<void>): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await phase();
  const cpu = process.cpuUsage(cpu0);
  return { seconds: Number(((performance.now() - t0) / 1000).toFixed(2)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)) };
}

function rates(time: { seconds: number; cpuSeconds: number }, megabytes: number): Record<string, number> {
  return {
    ...time,
    recordsPerSecond: Math.round(count / time.seconds),
    recordsPerCpuSecond: Math.round(count / time.cpuSeconds),
    mbPerSecond: Number((megabytes / time.seconds).toFixed(1)),
    mbPerCpuSecond: Number((megabytes / time.cpuSeconds).toFixed(1)),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'genomaic-throughput-'));
  try {
    const header = { references, readGroups: [{ id: 'sample1', platform: 'ILLUMINA' as const, sample: 'S1' }] };

    // Generation alone, to subtract from the phases that include it.
    const generateTime = await timed(() => {
      for (const record of generateRecords(false)) void record;
      return Promise.resolve();
    });

    let encoded: Buffer[] = [];
    const encodeTime = await timed(() => {
      for (const record of generateRecords(false)) encoded.push(encodeBamRecord(record, references));
      return Promise.resolve();
    });
    const bytes = encoded.reduce((n, b) => n + b.length, 0);

    let compressedBytes = 0;
    const bgzfTime = await timed(async () => {
      const bgzf = await BgzfWriter.create(join(dir, 'stream.bgzf'), { level });
      for (const record of encoded) await bgzf.writeRecord(record);
      compressedBytes = (await bgzf.close()).compressedBytes;
    });
    encoded = [];

    let bamPath = '';
    const bamTime = await timed(async () => {
      const writer = await BamWriter.create(join(dir, 'out.bam'), header, { level });
      for (const record of generateRecords(false)) await writer.write(record);
      bamPath = (await writer.close()).bamPath;
    });

    let spilledRuns = 0;
    const sortTime = await timed(async () => {
      spilledRuns = (await sortBam(join(dir, 'sorted.bam'), header, generateRecords(true), { level, memoryBudgetBytes: 256 * 1024 * 1024 })).spilledRuns;
    });

    const mb = bytes / 1e6;
    console.log(
      JSON.stringify(
        {
          records: count,
          uncompressedMB: Number(mb.toFixed(1)),
          level,
          cpus: `${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
          threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
          generateOnly: generateTime,
          encode: rates(encodeTime, bytes / 1e6),
          bgzfWriter: { ...rates(bgzfTime, bytes / 1e6), compressedMB: Number((compressedBytes / 1e6).toFixed(1)) },
          bamWriterWithBai: { ...rates(bamTime, bytes / 1e6), bamMB: Number(((await stat(bamPath)).size / 1e6).toFixed(1)) },
          sortWithBai: { ...rates(sortTime, bytes / 1e6), spilledRuns },
          loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
        },
        null,
        2,
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
