/**
 * Public API of the ingest stage. The job layer calls `ingestFastqFiles`; later stages reuse
 * the streaming reader (`FastqReader`, batches of records as byte ranges), the QC accumulator
 * and the platform detector.
 */
export {
  ingestFastqFiles,
  withPlatformOverride,
  type IngestOptions,
  type IngestProgress,
  type IngestResult,
} from './ingest.js';
export { IngestError, type FaultLocation } from './errors.js';
export { FastqReader, FastqBatch, recordFirstLine, type FastqReaderOptions } from './fastq-reader.js';
export { QcAccumulator, lengthBinWidth, PER_CYCLE_MAX_CYCLES, LENGTH_HISTOGRAM_MAX_BINS } from './qc.js';
export {
  PlatformDetector,
  classifyReadName,
  DEFAULT_DETECTION_READS,
  HIFI_MIN_MEAN_QUALITY,
  LONG_READ_MIN_LENGTH,
  type ReadNameStyle,
} from './platform.js';
export { findMateFiles, mateNamesMatch, mateReadName, type MateFiles } from './pairs.js';
export { sniffFormat, RAW_READ_BYTES, DECODED_CHUNK_BYTES, type SniffedFormat } from './compression.js';
export { PHRED_OFFSET, MAX_PHRED, SEQUENCE_CLASS } from './alphabet.js';
