import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { ProjectStore } from '../../../engine/store/project-store.js';
import { MIGRATIONS } from '../../../engine/store/migrations.js';
import type { InputFileReport } from '../../../app/contract.js';

function tempDb(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'genomaic-store-'));
  return { path: join(dir, 'project.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function report(path: string): InputFileReport {
  const hist = { start: 0, width: 1, counts: [1] };
  return {
    path,
    name: 'x.fastq',
    sizeBytes: 10,
    sha256: 'ab'.repeat(32),
    compression: 'none',
    platform: 'illumina',
    detected: { platform: 'illumina', confidence: 0.9, signals: [], readsInspected: 1 },
    platformOverridden: false,
    mate: null,
    mateOf: null,
    qc: {
      reads: 1, bases: 150, minLength: 150, maxLength: 150, meanLength: 150, n50: 150, meanQuality: 30,
      q20Fraction: 1, q30Fraction: 0.5, gcFraction: 0.5, nRate: 0,
      lengthHistogram: hist, qualityHistogram: hist, gcHistogram: hist, perCycleQuality: null,
    },
  };
}

describe('ProjectStore', () => {
  it('applies its migrations once, in WAL mode, and keeps runs across reopen', () => {
    const { path, cleanup } = tempDb();
    try {
      const a = ProjectStore.open(path, { appVersion: '1.2.3' });
      expect(a.schemaVersion()).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
      const run = a.createRun('qc', { platform: 'auto', detectionReads: 100 }, [{ path: '/data/x.fastq', name: 'x.fastq', sizeBytes: 10 }]);
      expect(run.status).toBe('running');
      a.completeQcRun(run.id, [report('/data/x.fastq')], []);
      a.close();

      const b = ProjectStore.open(path, { appVersion: '1.2.3' });
      const detail = b.getRun(run.id);
      expect(detail.status).toBe('done');
      expect(detail.appVersion).toBe('1.2.3');
      expect(detail.files[0]?.sha256).toBe('ab'.repeat(32));
      expect(detail.configHash).toMatch(/^[0-9a-f]{64}$/);
      expect(b.listRuns().map((r) => r.id)).toEqual([run.id]);
      b.close();

      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    } finally {
      cleanup();
    }
  });

  it('marks a run interrupted when the process that owned it was killed mid-run', () => {
    const { path, cleanup } = tempDb();
    try {
      // A real crash: a child process opens the store, starts a run and is killed with SIGKILL.
      const script = `
        import { ProjectStore } from ${JSON.stringify(join(process.cwd(), 'engine/store/project-store.ts'))};
        const s = ProjectStore.open(${JSON.stringify(path)}, { appVersion: '0' });
        s.createRun('qc', { platform: 'auto', detectionReads: 1 }, [{ path: '/x', name: 'x', sizeBytes: 1 }]);
        process.kill(process.pid, 'SIGKILL');`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(child.signal).toBe('SIGKILL');

      const store = ProjectStore.open(path, { appVersion: '0' });
      const [run] = store.listRuns();
      expect(run?.status).toBe('interrupted');
      expect(run?.error?.message).toMatch(/interrupted/);
      store.close();
    } finally {
      cleanup();
    }
  });

  it("leaves a live process's running run alone", () => {
    const { path, cleanup } = tempDb();
    try {
      const a = ProjectStore.open(path, { appVersion: '0' });
      const run = a.createRun('qc', { platform: 'auto', detectionReads: 1 }, [{ path: '/x', name: 'x', sizeBytes: 1 }]);
      const b = ProjectStore.open(path, { appVersion: '0' });
      expect(b.getRunSummary(run.id).status).toBe('running');
      a.close();
      b.close();
    } finally {
      cleanup();
    }
  });

  it('refuses a database written by a newer schema, with a clear message', () => {
    const { path, cleanup } = tempDb();
    try {
      ProjectStore.open(path, { appVersion: '0' }).close();
      const raw = new Database(path);
      raw.prepare('INSERT INTO schema_migrations VALUES (999, ?, ?)').run('future', new Date().toISOString());
      raw.close();
      expect(() => ProjectStore.open(path, { appVersion: '0' })).toThrow(/newer GenomAIc \(schema 999/);
    } finally {
      cleanup();
    }
  });

  it('overrides a platform and restores the detected one with auto', () => {
    const { path, cleanup } = tempDb();
    try {
      const s = ProjectStore.open(path, { appVersion: '0' });
      const run = s.createRun('qc', { platform: 'auto', detectionReads: 1 }, [{ path: '/d/x.fastq', name: 'x.fastq', sizeBytes: 10 }]);
      s.completeQcRun(run.id, [report('/d/x.fastq')], []);
      const set = s.setPlatformOverride(run.id, '/d/x.fastq', 'ont');
      expect(set.files[0]).toMatchObject({ platform: 'ont', platformOverridden: true });
      const back = s.setPlatformOverride(run.id, '/d/x.fastq', 'auto');
      expect(back.files[0]).toMatchObject({ platform: 'illumina', platformOverridden: false });
      expect(() => s.setPlatformOverride(run.id, '/d/other.fastq', 'ont')).toThrow(/has no input/);
      s.close();
    } finally {
      cleanup();
    }
  });

  it('never stores results on a run that already ended', () => {
    const { path, cleanup } = tempDb();
    try {
      const s = ProjectStore.open(path, { appVersion: '0' });
      const run = s.createRun('qc', { platform: 'auto', detectionReads: 1 }, [{ path: '/d/x.fastq', name: 'x.fastq', sizeBytes: 10 }]);
      s.endRun(run.id, 'cancelled', { code: 'cancelled', message: 'Cancelled' });
      expect(() => s.completeQcRun(run.id, [report('/d/x.fastq')], [])).toThrow(/not running/);
      const detail = s.getRun(run.id);
      expect(detail.status).toBe('cancelled');
      expect(detail.files).toEqual([]);
      s.close();
    } finally {
      cleanup();
    }
  });
});
