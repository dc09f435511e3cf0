/**
 * Migration 3 (align runs' outputs) on a database written before it existed: the earlier
 * runs survive, an align run's outputs are stored with its completion in one transaction, and
 * they go when the run is deleted.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ProjectStore } from '../../../engine/store/project-store.js';
import { MIGRATIONS } from '../../../engine/store/migrations.js';
import type { AlignRunOutputs, RunConfig } from '../../../app/contract.js';

const CONFIG: RunConfig = { platform: 'auto', detectionReads: 2000, referencePath: '/data/ref.fa', preset: 'auto' };

function alignment(dir: string): AlignRunOutputs {
  return {
    outputDir: dir,
    bam: join(dir, 's.bam'),
    bamIndex: join(dir, 's.bam.bai'),
    referencePath: '/data/ref.fa',
    referenceSha256: 'cd'.repeat(32),
    summary: {
      source: 'aligned',
      preset: 'sr',
      presetDetected: true,
      detectedPlatform: 'illumina',
      paired: true,
      reads: 200,
      mapped: 190,
      mappedFraction: 0.95,
      properlyPairedFraction: 0.9,
      secondary: 0,
      supplementary: 1,
      lowMappingRate: false,
      lowMappingThreshold: 0.5,
      warnings: [],
      seconds: 1.5,
    },
  };
}

describe('align runs in the project store', () => {
  it('migrates a schema-2 database, keeping its runs, and stores align outputs with the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-align-store-'));
    const path = join(dir, 'project.sqlite');
    try {
      // A database as the previous release left it: migrations 1 and 2, one QC run.
      const before = MIGRATIONS.filter((m) => m.version <= 2);
      expect(before).toHaveLength(2);
      const raw = new Database(path);
      raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const m of before) {
        raw.exec(m.sql);
        raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.description, new Date().toISOString());
      }
      raw
        .prepare("INSERT INTO runs (id, kind, status, created_at, finished_at, app_version, config_json, config_hash) VALUES ('old', 'qc', 'done', ?, ?, '0.0.1', '{}', 'x')")
        .run(new Date().toISOString(), new Date().toISOString());
      raw.close();

      const store = ProjectStore.open(path, { appVersion: 'test' });
      try {
        expect(store.schemaVersion()).toBe(3);
        expect(store.getRunSummary('old')).toMatchObject({ kind: 'qc', status: 'done' });

        const run = store.createRun('align', CONFIG, [{ path: '/data/r1.fq', name: 'r1.fq', sizeBytes: 10 }]);
        expect(store.getRun(run.id).alignment).toBeUndefined();
        const outputs = alignment(join(dir, 'runs', run.id));
        expect(store.completeAlignRun(run.id, outputs).status).toBe('done');
        const detail = store.getRun(run.id);
        expect(detail.kind).toBe('align');
        expect(detail.alignment).toEqual(outputs);
        expect(detail.config.preset).toBe('auto');

        // A run that already ended stores nothing: the insert rolls back with the refusal.
        const cancelled = store.createRun('align', CONFIG, []);
        store.endRun(cancelled.id, 'cancelled', { code: 'cancelled', message: 'Cancelled' });
        expect(() => store.completeAlignRun(cancelled.id, outputs)).toThrow(/not running/);
        expect(store.getRun(cancelled.id).alignment).toBeUndefined();

        // Deleting the run deletes its outputs' row (ON DELETE CASCADE).
        store.connection.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
        const left = store.connection.prepare('SELECT COUNT(*) AS n FROM run_alignments').get() as { n: number };
        expect(left.n).toBe(0);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
