/**
 * One measured ingest, run as its own process by bench/ingest.ts so that its peak RSS is its
 * own. Prints one JSON line: the in-process ingest time and what was read.
 */
import { ingestFastqFiles } from '../engine/ingest/index.js';

const paths = process.argv.slice(2);
const started = performance.now();
const { files } = await ingestFastqFiles(paths);
const ingestSeconds = (performance.now() - started) / 1000;
const summary = {
  ingestSeconds,
  reads: files.reduce((sum, f) => sum + f.qc.reads, 0),
  bases: files.reduce((sum, f) => sum + f.qc.bases, 0),
  platform: files.map((f) => f.platform),
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
