/**
 * Model runtime benchmark: streaming throughput (Mbp/s) and peak memory at 1 Mbp, 10 Mbp and a
 * chr20-length sequence (63,025,520 bp, GRCh37), and the effective context (how far an input
 * change still moves an output), for the architecture in a model config (default:
 * configs/model/default.yaml) on the backend in use. Writes the `model-runtime` section of
 * docs/benchmarks.md.
 *
 * Inputs are synthetic pileup features (engine/model/synthetic.ts) encoded once into a
 * 128 kbp ring and read from it tile by tile, so the figure is the model's cost, not the
 * pileup's. Throughput does not depend on the weights' values: until a trained model ships,
 * freshly initialised weights are used and the section says so.
 *
 *   npx tsx bench/model.ts [--config FILE] [--checkpoint DIR] [--sizes 1000000,10000000,63025520]
 *                          [--tile N] [--backend wasm|cpu|...] [--no-write]
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describeMachine, REPO_ROOT, writeBenchmarkSection } from './report.js';
import { selectBackend, type BackendCandidate } from '../engine/model/backend.js';
import { loadModelTrainingConfig } from '../engine/model/config.js';
import { loadCheckpoint } from '../engine/model/checkpoint.js';
import { FEATURE_COUNT } from '../engine/model/features.js';
import { GenomeLtmMoe } from '../engine/model/model.js';
import { SeededRandom } from '../engine/util/seeded-random.js';
import { defaultLookahead, streamPredict, type FeatureSource } from '../engine/model/streaming.js';
import { inferenceScan } from '../engine/model/ssm.js';
import { batchFromTiles, generateSyntheticTile } from '../engine/model/synthetic.js';
import { measureEffectiveContext } from '../engine/model/effective-context.js';

const CHR20_GRCH37 = 63_025_520;
const RING = 1 << 17;

/** Positions map onto a ring of real-looking encoded pileup features. */
function ringSource(length: number, ring: Float32Array): FeatureSource {
  const ringPositions = ring.length / FEATURE_COUNT;
  return {
    length,
    read(start, count) {
      const out = new Float32Array(count * FEATURE_COUNT);
      let done = 0;
      while (done < count) {
        const at = (start + done) % ringPositions;
        const take = Math.min(count - done, ringPositions - at);
        out.set(ring.subarray(at * FEATURE_COUNT, (at + take) * FEATURE_COUNT), done * FEATURE_COUNT);
        done += take;
      }
      return out;
    },
  };
}

function buildRing(settings: Parameters<typeof generateSyntheticTile>[2]): Float32Array {
  const random = new SeededRandom(2024);
  const tiles = [];
  const tileLength = 4096;
  for (let i = 0; i < RING / tileLength; i++) tiles.push(generateSyntheticTile(random, tileLength, settings, i * tileLength));
  // batchFromTiles lays tiles end to end: [tiles × tileLength × channels] = one RING-long sequence.
  return batchFromTiles(tiles, tileLength).features;
}

interface ThroughputRow {
  positions: number;
  seconds: number;
  /** CPU seconds of this process (user + system): the machine is shared, wall time is not all ours. */
  cpuSeconds: number;
  mbpPerSecond: number;
  peakRssMiB: number;
  peakTensorMiB: number;
  tensorsAtEnd: number;
}

async function measureThroughput(model: GenomeLtmMoe, ring: Float32Array, positions: number, tileLength: number, log: (line: string) => void): Promise<ThroughputRow> {
  const source = ringSource(positions, ring);
  let peakRss = process.memoryUsage().rss;
  let peakTensorBytes = tf.memory().numBytes;
  const tensorsBefore = tf.memory().numTensors;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let lastReport = started;
  let checksum = 0;
  await streamPredict(model, source, { tileLength }, async (tile) => {
    // Reading the outputs back is part of the cost (the caller needs them as numbers).
    const logits = await tile.output.logits.data();
    checksum += logits[0]!;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
    const now = performance.now();
    if (now - lastReport > 30_000) {
      lastReport = now;
      const done = tile.start + tile.length;
      log(`  ${(done / 1e6).toFixed(1)} / ${(positions / 1e6).toFixed(1)} Mbp, ${((done / 1e6) / ((now - started) / 1000)).toFixed(3)} Mbp/s`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  if (!Number.isFinite(checksum)) throw new Error('non-finite model output');
  return {
    positions,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    mbpPerSecond: positions / 1e6 / seconds,
    peakRssMiB: peakRss / 2 ** 20,
    peakTensorMiB: peakTensorBytes / 2 ** 20,
    tensorsAtEnd: tf.memory().numTensors - tensorsBefore,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: join(REPO_ROOT, 'configs', 'model', 'default.yaml') },
      checkpoint: { type: 'string' },
      sizes: { type: 'string', default: `1000000,10000000,${CHR20_GRCH37}` },
      tile: { type: 'string', default: '8192' },
      context: { type: 'string', default: '16384' },
      backend: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const selection = await selectBackend(values.backend ? { prefer: values.backend as BackendCandidate } : {});
  log(`backend: ${selection.backend} (${selection.candidate})`);
  const config = loadModelTrainingConfig(values.config);
  let model: GenomeLtmMoe;
  let weights: string;
  if (values.checkpoint) {
    const loaded = await loadCheckpoint(values.checkpoint);
    model = loaded.model;
    weights = `trained checkpoint ${loaded.manifest.modelId} (${values.checkpoint})`;
  } else {
    model = GenomeLtmMoe.create(config.model, config.seed);
    weights = `freshly initialised weights of ${config.modelId} (no trained model ships yet; throughput does not depend on weight values, effective context does)`;
  }
  const arch = model.architecture;
  const tileLength = Number(values.tile);
  const sizes = values.sizes.split(',').map(Number);
  log(`model: ${arch.layers} layers, d=${arch.dModel}, ${arch.heads}×${arch.headDim} heads, N=${arch.stateDim}, chunk ${arch.chunkSize}, ${arch.experts.length} experts (top-${arch.topK}); ${model.store.count()} parameters`);
  const ring = buildRing(config.data);
  const rssBefore = process.memoryUsage().rss / 2 ** 20;

  const context = measureEffectiveContext(model, ring.subarray(0, Number(values.context) * FEATURE_COUNT));
  log(`effective context: downstream ${context.reach.downstream} bp, upstream ${context.reach.upstream} bp`);

  const rows: ThroughputRow[] = [];
  const command = `npx tsx bench/model.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const render = (pending: number[]): string => {
    const date = new Date().toISOString().slice(0, 10);
    return `## Model runtime (GenomeLTM-MoE streaming inference)

Measured ${date} by \`${command}\` on ${describeMachine()}.
Backend: **${selection.backend}** (${selection.tried.map((t) => `${t.name}: ${t.ok ? 'used' : t.reason}`).join('; ')}).
Model: ${weights}; ${arch.layers} bidirectional SSD layers, d_model ${arch.dModel}, ${arch.heads} heads × ${arch.headDim}, state ${arch.stateDim}, chunk ${arch.chunkSize}, ${arch.experts.length} experts top-${arch.topK}. Streaming tile ${tileLength.toLocaleString('en-US')} positions, look-ahead ${defaultLookahead(model).toLocaleString('en-US')} (backward horizon × 2), batch 1, one thread, ${inferenceScan()} scan (ssm.ts \`inferenceScan\`).
Input: synthetic pileup features (real-looking, from engine/model/synthetic.ts) read from a ${(RING / 1024).toFixed(0)} kbp ring, so the figures are the model's own cost (pileup and I/O excluded). Process RSS before streaming: ${rssBefore.toFixed(0)} MiB.

| positions | wall time | CPU time | throughput (wall) | throughput per CPU-second | peak RSS | tensor memory held between tiles | tensors left after |
|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.positions.toLocaleString('en-US')}${r.positions === CHR20_GRCH37 ? ' (chr20 length)' : ''} | ${r.seconds.toFixed(1)} s | ${r.cpuSeconds.toFixed(1)} s | ${r.mbpPerSecond.toFixed(4)} Mbp/s | ${(r.positions / 1e6 / r.cpuSeconds).toFixed(4)} Mbp/s | ${r.peakRssMiB.toFixed(0)} MiB | ${r.peakTensorMiB.toFixed(1)} MiB | ${r.tensorsAtEnd} |`).join('\n')}
${pending.map((p) => `| ${p.toLocaleString('en-US')}${p === CHR20_GRCH37 ? ' (chr20 length)' : ''} | not yet measured (run in progress or interrupted) | | | | | | |`).join('\n')}

The machine is shared with other jobs (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores when this section was written), so wall time overstates the cost; CPU time is this process's own.

Between tiles only the per-layer forward states (${arch.layers} × ${arch.heads} × ${arch.stateDim} × ${arch.headDim} floats) and one window's tensors are held${rows.length > 1 ? `; peak RSS went from ${rows[0]!.peakRssMiB.toFixed(0)} MiB at ${(rows[0]!.positions / 1e6).toFixed(0)} Mbp to ${rows.at(-1)!.peakRssMiB.toFixed(0)} MiB at ${(rows.at(-1)!.positions / 1e6).toFixed(0)} Mbp` : ''}.

Effective context (${weights.startsWith('trained') ? 'trained weights' : 'initial weights'}; whole-sequence forward over ${Number(values.context).toLocaleString('en-US')} positions, input perturbed at the centre; largest relative change of any genotype logit at that distance, ±10 %):

| distance (bp) | downstream (forward state) | upstream (backward state) |
|---:|---:|---:|
${context.rows.map((r) => `| ${r.distance.toLocaleString('en-US')} | ${r.downstream.toExponential(1)} | ${r.upstream.toExponential(1)} |`).join('\n')}

Farthest position still moved by more than 1e-3 of the change at the perturbed position: ${context.reach.downstream.toLocaleString('en-US')} bp downstream, ${context.reach.upstream.toLocaleString('en-US')} bp upstream (the backward direction is bounded by its decay floor: ≤ 1e-3 after ${arch.backwardHorizon} bp per layer by construction).`;
  };
  for (const [i, size] of sizes.entries()) {
    log(`streaming ${size.toLocaleString('en-US')} positions…`);
    const row = await measureThroughput(model, ring, size, tileLength, log);
    log(`  ${row.mbpPerSecond.toFixed(4)} Mbp/s, ${row.seconds.toFixed(1)} s (${row.cpuSeconds.toFixed(1)} CPU s), peak RSS ${row.peakRssMiB.toFixed(0)} MiB, tensors held ${row.peakTensorMiB.toFixed(1)} MiB`);
    rows.push(row);
    // Written after every size, so a long run that is stopped still records what it measured.
    if (!values['no-write']) writeBenchmarkSection('model-runtime', render(sizes.slice(i + 1)));
  }
  model.dispose();
  console.log(render([]));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
