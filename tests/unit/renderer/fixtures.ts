/** Small, valid contract objects for the renderer's unit tests. */
import type { InputFileReport, JobProgress, QcReport, RunDetail, RunSummary } from '../../../app/contract.ts';

export function summary(overrides: Partial<RunSummary> & { id: string }): RunSummary {
  return {
    kind: 'qc',
    status: 'running',
    createdAt: '2025-01-01T10:00:00.000Z',
    finishedAt: null,
    appVersion: '0.1.0',
    inputs: [{ path: `/data/${overrides.id}.fq`, name: `${overrides.id}.fq`, sizeBytes: 1000 }],
    error: null,
    ...overrides,
  };
}

export function qcReport(overrides: Partial<QcReport> = {}): QcReport {
  return {
    reads: 2,
    bases: 300,
    minLength: 150,
    maxLength: 150,
    meanLength: 150,
    n50: 150,
    meanQuality: 35,
    q20Fraction: 0.98,
    q30Fraction: 0.9,
    gcFraction: 0.41,
    nRate: 0,
    lengthHistogram: { start: 150, width: 1, counts: [2] },
    qualityHistogram: { start: 0, width: 1, counts: [0, 0, 300] },
    gcHistogram: { start: 0, width: 1, counts: new Array<number>(101).fill(0) },
    perCycleQuality: null,
    ...overrides,
  };
}

export function fileReport(path: string, overrides: Partial<InputFileReport> = {}): InputFileReport {
  return {
    path,
    name: path.split('/').pop() ?? path,
    sizeBytes: 1000,
    sha256: 'f'.repeat(64),
    compression: 'none',
    platform: 'illumina',
    detected: { platform: 'illumina', confidence: 0.9, signals: [], readsInspected: 2 },
    platformOverridden: false,
    mate: null,
    mateOf: null,
    qc: qcReport(),
    ...overrides,
  };
}

export function detail(overrides: Partial<RunDetail> & { id: string }): RunDetail {
  const base = summary(overrides);
  return {
    ...base,
    config: { platform: 'auto', detectionReads: 10_000 },
    configHash: 'c'.repeat(64),
    files: [],
    pairs: [],
    ...overrides,
  };
}

export function progress(runId: string, done: number): JobProgress {
  return {
    runId,
    stage: 'ingest',
    stageIndex: 1,
    stageCount: 1,
    detail: null,
    done,
    total: 1000,
    unit: 'bytes',
    reads: done / 10,
    readsPerSecond: 100,
    etaSeconds: 5,
    currentFile: '/data/x.fq',
    elapsedSeconds: 1,
  };
}
