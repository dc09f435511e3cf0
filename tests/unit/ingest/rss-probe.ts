/**
 * Child-process probe for the bounded-memory test: ingests the given files and prints the
 * process's peak RSS, which only a separate process can report for one ingest alone.
 */
import { ingestFastqFiles } from '../../../engine/ingest/index.js';

const { files } = await ingestFastqFiles(process.argv.slice(2));
process.stdout.write(JSON.stringify({ reads: files.reduce((sum, f) => sum + f.qc.reads, 0), maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
