/**
 * The product's own stages, run on the same inputs as the peers. Each stage is one entry of
 * PRODUCT_STAGES; alignment and calling join the list as they land (a stage that produces a
 * BAM or a VCF returns it, and run.ts scores it exactly as it scores the peers).
 */
import { performance } from 'node:perf_hooks';
import type { Platform } from './config.js';
import type { ReadSet } from './simulate.js';
import { ingestFastqFiles } from '../engine/ingest/index.js';

export interface ProductInputs {
  reads: ReadSet[];
  reference: string;
  threads: number;
  workDir: string;
}

export interface ProductStageResult {
  stage: string;
  platform: Platform;
  seconds: number;
  ok: boolean;
  /** What a table shows: detected platform, reads, etc. */
  detail: Record<string, string | number | boolean | null>;
  /** A VCF of calls to score like a peer's (calling stages). */
  callsVcf?: string;
  error?: string;
}

export interface ProductStage {
  name: string;
  run(inputs: ProductInputs): Promise<ProductStageResult[]>;
}

/** Ingest: stream, validate, QC and detect the platform of each platform's FASTQ files. */
const ingestStage: ProductStage = {
  name: 'ingest',
  async run(inputs) {
    const results: ProductStageResult[] = [];
    for (const set of inputs.reads) {
      const started = performance.now();
      try {
        const result = await ingestFastqFiles(set.fastq, { platform: 'auto' });
        const seconds = (performance.now() - started) / 1000;
        const files = result.files;
        const reads = files.reduce((n, f) => n + f.qc.reads, 0);
        const bases = files.reduce((n, f) => n + f.qc.bases, 0);
        const detected = [...new Set(files.map((f) => f.detected.platform))].join('+');
        results.push({
          stage: 'ingest',
          platform: set.platform,
          seconds,
          ok: files.every((f) => f.detected.platform === set.platform),
          detail: {
            files: files.length,
            reads,
            bases,
            detected,
            confidence: Math.min(...files.map((f) => f.detected.confidence)),
            meanQuality: files.reduce((s, f) => s + f.qc.meanQuality * f.qc.reads, 0) / Math.max(1, reads),
            pairsChecked: result.pairs.length,
            pairsOk: result.pairs.every((p) => p.ok),
            megabasesPerSecond: bases / 1e6 / seconds,
          },
        });
      } catch (err) {
        results.push({ stage: 'ingest', platform: set.platform, seconds: (performance.now() - started) / 1000, ok: false, detail: {}, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return results;
  },
};

/** Add alignment and calling here as they land. */
export const PRODUCT_STAGES: readonly ProductStage[] = [ingestStage];
