/** Words shown for the contract's enumerations; exhaustive `Record`s so a new value cannot be forgotten. */
import type { AlignPreset, Compression, DetectedPlatform, ErrorCode, GenomaicError, Platform, RunKind, RunStatus } from '../../../app/contract.ts';
import { baseName, formatInteger } from './numbers.js';

export const PLATFORM_LABEL: Record<DetectedPlatform, string> = {
  illumina: 'Illumina',
  hifi: 'PacBio HiFi',
  ont: 'Oxford Nanopore',
  unknown: 'Unknown',
};

/** Choices offered wherever the user picks a platform; 'auto' lets the engine detect it. */
export const PLATFORM_CHOICES: ReadonlyArray<{ value: Platform | 'auto'; label: string }> = [
  { value: 'auto', label: 'Auto-detect' },
  { value: 'illumina', label: 'Illumina' },
  { value: 'hifi', label: 'PacBio HiFi' },
  { value: 'ont', label: 'Oxford Nanopore (ONT)' },
];

export function isPlatformChoice(value: string): value is Platform | 'auto' {
  return PLATFORM_CHOICES.some((choice) => choice.value === value);
}

/** The aligner's presets; 'auto' takes the one for the platform detected in the reads. */
export const PRESET_CHOICES: ReadonlyArray<{ value: AlignPreset | 'auto'; label: string }> = [
  { value: 'auto', label: 'Detected from the reads' },
  { value: 'sr', label: 'sr: short reads (Illumina)' },
  { value: 'hifi', label: 'hifi: PacBio HiFi' },
  { value: 'ont', label: 'ont: Oxford Nanopore' },
];

export function isPresetChoice(value: string): value is AlignPreset | 'auto' {
  return PRESET_CHOICES.some((choice) => choice.value === value);
}

export const RUN_KIND_LABEL: Record<RunKind, string> = {
  qc: 'QC run',
  analyze: 'Analysis run',
  align: 'Alignment run',
};

export const STATUS_LABEL: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

export const COMPRESSION_LABEL: Record<Compression, string> = {
  none: 'None (plain text)',
  gzip: 'gzip',
  bgzip: 'BGZF (bgzip)',
};

export const ERROR_CODE_LABEL: Record<ErrorCode, string> = {
  'file-not-found': 'File not found',
  'file-unreadable': 'File cannot be read',
  'empty-file': 'Empty file',
  'binary-file': 'Binary file, not FASTQ text',
  'not-fastq': 'Not a FASTQ file',
  'truncated-gzip': 'Truncated gzip data',
  'corrupt-gzip': 'Corrupt gzip data',
  'missing-header': 'Record without an @ header line',
  'missing-plus': "Record without a '+' separator line",
  'truncated-record': 'Incomplete last record',
  'length-mismatch': 'Sequence and quality lengths differ',
  'quality-out-of-range': 'Quality character out of range',
  'invalid-sequence': 'Invalid character in sequence',
  'pair-name-mismatch': 'Read names of the pair do not match',
  'pair-count-mismatch': 'Mates have different numbers of reads',
  'invalid-request': 'Invalid request',
  'not-found': 'Not found',
  unsupported: 'Not supported here',
  unauthorized: 'Not authorised',
  cancelled: 'Cancelled',
  internal: 'Internal error',
};

/**
 * Where the fault is, as 'reads.fq.gz · record 1,204 · line 4,816' (empty when unknown). The
 * file is named as the user knows it, by its base name: for uploads the full path is a
 * server folder they never chose.
 */
export function errorLocation(error: GenomaicError): string {
  const parts: string[] = [];
  if (error.file) parts.push(baseName(error.file));
  if (error.record !== undefined) parts.push(`record ${formatInteger(error.record)}`);
  if (error.line !== undefined) parts.push(`line ${formatInteger(error.line)}`);
  return parts.join(' · ');
}

export function errorTitle(error: GenomaicError): string {
  return ERROR_CODE_LABEL[error.code] ?? 'Error';
}
