import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  AlignRunOutputs,
  GenomaicError,
  InputFileReport,
  PairCheck,
  Platform,
  RunConfig,
  RunDetail,
  RunInputRef,
  RunKind,
  RunOutputs,
  RunStatus,
  RunSummary,
} from '../../app/contract.js';
import { EngineError } from '../errors.js';
import { hashConfig } from '../util/canonical-json.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export interface OpenStoreOptions {
  /** Path of a better-sqlite3 addon built for this runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  /** Marks as `interrupted` the runs whose owning process is gone. Default true. */
  recoverInterrupted?: boolean;
  appVersion: string;
}

interface RunRow {
  id: string;
  kind: RunKind;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
  app_version: string;
  config_json: string;
  config_hash: string;
  error_json: string | null;
  pairs_json: string | null;
  owner_pid: number | null;
  owner_host: string | null;
}

interface InputRow {
  run_id: string;
  ordinal: number;
  path: string;
  name: string;
  size_bytes: number;
  sha256: string | null;
  platform: string | null;
  platform_override: string | null;
  report_json: string | null;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive but not ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The project database: every run with its inputs (path, size, SHA-256, platform), config,
 * app version, timestamps and QC. WAL mode so the UI can read while a run writes; each
 * state change is one transaction, so a crash leaves either the old or the new state.
 */
export class ProjectStore {
  private readonly db: Database.Database;
  private readonly appVersion: string;

  private constructor(db: Database.Database, appVersion: string) {
    this.db = db;
    this.appVersion = appVersion;
  }

  static open(path: string, options: OpenStoreOptions): ProjectStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const store = new ProjectStore(db, options.appVersion);
    store.migrate(MIGRATIONS);
    if (options.recoverInterrupted !== false) store.recoverInterruptedRuns();
    return store;
  }

  /** The connection, for modules that keep their own tables in the project database (engine/review). */
  get connection(): Database.Database {
    return this.db;
  }

  schemaVersion(): number {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    return row.v ?? 0;
  }

  private migrate(migrations: readonly Migration[]): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const current = this.schemaVersion();
    const newest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
    if (current > newest) {
      throw EngineError.of(
        'unsupported',
        `The project database was written by a newer GenomAIc (schema ${current}; this version knows up to ${newest}). Upgrade GenomAIc to open it.`,
      );
    }
    const record = this.db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        record.run(m.version, m.description, new Date().toISOString());
      })();
    }
  }

  /** Runs left `running`/`queued` by a process that no longer exists were interrupted. */
  recoverInterruptedRuns(): number {
    const rows = this.db
      .prepare("SELECT id, owner_pid, owner_host FROM runs WHERE status IN ('running','queued')")
      .all() as Pick<RunRow, 'id' | 'owner_pid' | 'owner_host'>[];
    const host = hostname();
    const dead = rows.filter((r) => r.owner_host !== host || r.owner_pid === null || !processIsAlive(r.owner_pid));
    const mark = this.db.prepare(
      "UPDATE runs SET status = 'interrupted', finished_at = ?, error_json = ? WHERE id = ? AND status IN ('running','queued')",
    );
    const error: GenomaicError = { code: 'internal', message: 'The run was interrupted: GenomAIc stopped before it finished.' };
    this.db.transaction(() => {
      for (const r of dead) mark.run(new Date().toISOString(), JSON.stringify(error), r.id);
    })();
    return dead.length;
  }

  createRun(kind: RunKind, config: RunConfig, inputs: RunInputRef[]): RunSummary {
    const id = randomUUID();
    const now = new Date().toISOString();
    const insertRun = this.db.prepare(
      `INSERT INTO runs (id, kind, status, created_at, app_version, config_json, config_hash, owner_pid, owner_host)
       VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
    );
    const insertInput = this.db.prepare(
      'INSERT INTO run_inputs (run_id, ordinal, path, name, size_bytes) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      insertRun.run(id, kind, now, this.appVersion, JSON.stringify(config), hashConfig(config), process.pid, hostname());
      inputs.forEach((input, i) => insertInput.run(id, i, input.path, input.name, input.sizeBytes));
    })();
    return this.getRunSummary(id);
  }

  /** Stores the ingest results (QC, checksums, platforms) of a running run. */
  recordIngest(runId: string, files: InputFileReport[], pairs: PairCheck[]): void {
    const update = this.db.prepare(
      'UPDATE run_inputs SET sha256 = ?, platform = ?, report_json = ?, size_bytes = ? WHERE run_id = ? AND ordinal = ?',
    );
    this.db.transaction(() => {
      const inputs = this.inputRows(runId);
      for (const file of files) {
        const row = inputs.find((r) => r.path === file.path);
        if (!row) throw EngineError.of('internal', `Run ${runId} has no input ${file.path}`);
        update.run(file.sha256, file.platform, JSON.stringify(file), file.sizeBytes, runId, row.ordinal);
      }
      this.db.prepare('UPDATE runs SET pairs_json = ? WHERE id = ?').run(JSON.stringify(pairs), runId);
    })();
  }

  /** Marks a running run done; refuses (and so rolls back a surrounding transaction) if it already ended. */
  finishRun(runId: string): RunSummary {
    const changed = this.db
      .prepare("UPDATE runs SET status = 'done', finished_at = ?, error_json = NULL WHERE id = ? AND status = 'running'")
      .run(new Date().toISOString(), runId).changes;
    if (changed !== 1) throw EngineError.of('internal', `Run ${runId} is not running; results not stored`);
    return this.getRunSummary(runId);
  }

  /** Stores the ingest results and marks the run done, atomically. */
  completeQcRun(runId: string, files: InputFileReport[], pairs: PairCheck[]): RunSummary {
    return this.db.transaction(() => {
      this.recordIngest(runId, files, pairs);
      return this.finishRun(runId);
    })();
  }

  /** Stores an align run's outputs and marks it done, atomically. */
  completeAlignRun(runId: string, alignment: AlignRunOutputs): RunSummary {
    return this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO run_alignments (run_id, outputs_json, recorded_at) VALUES (?, ?, ?)')
        .run(runId, JSON.stringify(alignment), new Date().toISOString());
      return this.finishRun(runId);
    })();
  }

  endRun(runId: string, status: Extract<RunStatus, 'failed' | 'cancelled'>, error: GenomaicError): RunSummary {
    this.db
      .prepare("UPDATE runs SET status = ?, finished_at = ?, error_json = ? WHERE id = ? AND status IN ('running','queued')")
      .run(status, new Date().toISOString(), JSON.stringify(error), runId);
    return this.getRunSummary(runId);
  }

  listRuns(): RunSummary[] {
    const rows = this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC').all() as RunRow[];
    const inputs = this.db.prepare('SELECT * FROM run_inputs ORDER BY run_id, ordinal').all() as InputRow[];
    const byRun = new Map<string, InputRow[]>();
    for (const r of inputs) byRun.set(r.run_id, [...(byRun.get(r.run_id) ?? []), r]);
    return rows.map((row) => this.toSummary(row, byRun.get(row.id) ?? []));
  }

  getRunSummary(runId: string): RunSummary {
    return this.toSummary(this.runRow(runId), this.inputRows(runId));
  }

  getRun(runId: string): RunDetail {
    const row = this.runRow(runId);
    const inputs = this.inputRows(runId);
    const files = inputs.flatMap((input) => (input.report_json ? [applyOverride(JSON.parse(input.report_json) as InputFileReport, input.platform_override)] : []));
    return {
      ...this.toSummary(row, inputs),
      config: JSON.parse(row.config_json) as RunConfig,
      configHash: row.config_hash,
      files,
      pairs: row.pairs_json ? (JSON.parse(row.pairs_json) as PairCheck[]) : [],
      ...this.outputsOf(runId),
      ...this.alignmentOf(runId),
    };
  }

  /** 'auto' returns the input to its detected platform; a platform overrides it. */
  setPlatformOverride(runId: string, path: string, platform: Platform | 'auto'): RunDetail {
    const input = this.inputRows(runId).find((r) => r.path === path);
    if (!input) throw EngineError.of('not-found', `Run ${runId} has no input ${path}`);
    if (!input.report_json) throw EngineError.of('invalid-request', `The platform of ${input.name} can be set once its QC has finished`);
    const report = applyOverride(JSON.parse(input.report_json) as InputFileReport, platform);
    this.db
      .prepare('UPDATE run_inputs SET platform_override = ?, platform = ? WHERE run_id = ? AND ordinal = ?')
      .run(platform, report.platform, runId, input.ordinal);
    return this.getRun(runId);
  }

  close(): void {
    this.db.close();
  }

  /** Analysis runs' registered outputs (table of the review workstation's migration). */
  private outputsOf(runId: string): { outputs?: RunOutputs } {
    const row = this.db.prepare('SELECT outputs_json FROM run_outputs WHERE run_id = ?').get(runId) as { outputs_json: string } | undefined;
    return row ? { outputs: JSON.parse(row.outputs_json) as RunOutputs } : {};
  }

  /** Align runs' BAM + BAI and summary (migration 3). */
  private alignmentOf(runId: string): { alignment?: AlignRunOutputs } {
    const row = this.db.prepare('SELECT outputs_json FROM run_alignments WHERE run_id = ?').get(runId) as { outputs_json: string } | undefined;
    return row ? { alignment: JSON.parse(row.outputs_json) as AlignRunOutputs } : {};
  }

  private runRow(runId: string): RunRow {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
    if (!row) throw EngineError.of('not-found', `No run with id ${runId}`);
    return row;
  }

  private inputRows(runId: string): InputRow[] {
    return this.db.prepare('SELECT * FROM run_inputs WHERE run_id = ? ORDER BY ordinal').all(runId) as InputRow[];
  }

  private toSummary(row: RunRow, inputs: InputRow[]): RunSummary {
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      appVersion: row.app_version,
      inputs: inputs.map((i) => ({ path: i.path, name: i.name, sizeBytes: i.size_bytes })),
      error: row.error_json ? (JSON.parse(row.error_json) as GenomaicError) : null,
    };
  }
}

/** `override` as stored: null keeps what ingest decided; 'auto' is the detected platform. */
function applyOverride(report: InputFileReport, override: string | null): InputFileReport {
  if (override === null) return report;
  if (override === 'auto') return { ...report, platform: report.detected.platform, platformOverridden: false };
  return { ...report, platform: override as Platform, platformOverridden: true };
}
