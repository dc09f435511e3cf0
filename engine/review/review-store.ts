/**
 * The review's tables in the project database (migration 2): a run's registered outputs, its
 * calls, the current review of each call, and the append-only audit log. Every review is one
 * transaction that writes the current state and its audit line together, so the log can never
 * miss a change that the table shows.
 */
import type Database from 'better-sqlite3';
import type {
  AbstentionRegion,
  CallProvenance,
  CallSummary,
  ExpertWeight,
  ReviewAuditAction,
  ReviewAuditEntry,
  ReviewDecision,
  ReviewRecord,
  ReviewStatus,
  RunOutputs,
  UserTrack,
  UserTrackFormat,
  VariantType,
  VerifierVerdict,
} from '../../app/contract.js';
import { EngineError } from '../errors.js';

export interface StoredCall {
  summary: CallSummary;
  /** The sidecar line as the caller wrote it (`{"alleleDepths":[…]}` from the VCF when it had none). */
  evidenceJson: string;
}

export interface RegisteredOutputs {
  outputs: RunOutputs;
  provenance: CallProvenance;
  abstentions: AbstentionRegion[];
  /** The output folder belongs to the app (under the data folder) and goes with the run. */
  ownedDir: boolean;
}

interface CallRow {
  id: number;
  key: string;
  contig: string;
  pos: number;
  ref: string;
  alts: string;
  type: string;
  gt: string;
  gq: number | null;
  qual: number | null;
  depth: number;
  filter: string;
  abstain_reason: string | null;
  model_id: string;
  experts_json: string | null;
  verifier_json: string | null;
  evidence_json: string;
  status: string | null;
}

interface AuditRow {
  seq: number;
  run_id: string;
  action: string;
  call_id: number | null;
  call_key: string | null;
  status: string | null;
  previous_status: string | null;
  note: string | null;
  reviewer: string | null;
  at: string;
}

interface TrackRow {
  id: string;
  run_id: string;
  name: string;
  path: string;
  index_path: string | null;
  format: string;
  size_bytes: number;
  added_at: string;
}

export interface StoredUserTrack extends UserTrack {
  indexPath: string | null;
}

function toSummary(row: CallRow): CallSummary {
  return {
    id: row.id,
    key: row.key,
    contig: row.contig,
    pos: row.pos,
    ref: row.ref,
    alts: row.alts === '' ? [] : row.alts.split(','),
    type: row.type as VariantType,
    gt: row.gt,
    gq: row.gq,
    qual: row.qual,
    depth: row.depth,
    filter: row.filter,
    abstainReason: row.abstain_reason,
    modelId: row.model_id,
    experts: row.experts_json ? (JSON.parse(row.experts_json) as ExpertWeight[]) : null,
    verifier: row.verifier_json ? (JSON.parse(row.verifier_json) as VerifierVerdict) : null,
    reviewStatus: (row.status ?? 'unreviewed') as ReviewStatus,
  };
}

function toAuditEntry(row: AuditRow): ReviewAuditEntry {
  return {
    seq: row.seq,
    runId: row.run_id,
    action: row.action as ReviewAuditAction,
    callId: row.call_id,
    callKey: row.call_key,
    status: row.status as ReviewStatus | null,
    previousStatus: row.previous_status as ReviewStatus | null,
    note: row.note,
    reviewer: row.reviewer,
    at: row.at,
  };
}

export function userTrackUrls(id: string, name: string, hasIndex: boolean): { url: string; indexUrl: string | null } {
  const file = encodeURIComponent(name);
  return { url: `files/user/${id}/${file}`, indexUrl: hasIndex ? `files/user/${id}/index/${file}.idx` : null };
}

function toTrack(row: TrackRow): StoredUserTrack {
  return {
    id: row.id,
    runId: row.run_id,
    name: row.name,
    path: row.path,
    indexPath: row.index_path,
    format: row.format as UserTrackFormat,
    sizeBytes: row.size_bytes,
    addedAt: row.added_at,
    ...userTrackUrls(row.id, row.name, row.index_path !== null),
  };
}

export class ReviewStore {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Registers outputs and inserts the calls, in one transaction, with an audit line. */
  importCalls(runId: string, registered: RegisteredOutputs, calls: Iterable<StoredCall>, at = new Date().toISOString()): number {
    const insertOutputs = this.db.prepare(
      'INSERT INTO run_outputs (run_id, outputs_json, provenance_json, abstentions_json, owned_dir, imported_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertCall = this.db.prepare(
      `INSERT INTO calls (run_id, id, key, contig, pos, ref, alts, type, gt, gq, qual, depth, filter, abstain_reason, model_id, experts_json, verifier_json, evidence_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let count = 0;
    this.db.transaction(() => {
      insertOutputs.run(
        runId,
        JSON.stringify(registered.outputs),
        JSON.stringify(registered.provenance),
        JSON.stringify(registered.abstentions),
        registered.ownedDir ? 1 : 0,
        at,
      );
      for (const { summary: c, evidenceJson } of calls) {
        insertCall.run(
          runId, c.id, c.key, c.contig, c.pos, c.ref, c.alts.join(','), c.type, c.gt, c.gq, c.qual, c.depth, c.filter,
          c.abstainReason, c.modelId, c.experts ? JSON.stringify(c.experts) : null, c.verifier ? JSON.stringify(c.verifier) : null, evidenceJson,
        );
        count += 1;
      }
      this.appendAudit({ runId, action: 'run.imported', at, note: `${count} calls from ${registered.outputs.vcf}` });
    })();
    return count;
  }

  outputs(runId: string): RegisteredOutputs | null {
    const row = this.db.prepare('SELECT * FROM run_outputs WHERE run_id = ?').get(runId) as
      | { outputs_json: string; provenance_json: string; abstentions_json: string; owned_dir: number }
      | undefined;
    if (!row) return null;
    return {
      outputs: JSON.parse(row.outputs_json) as RunOutputs,
      provenance: JSON.parse(row.provenance_json) as CallProvenance,
      abstentions: JSON.parse(row.abstentions_json) as AbstentionRegion[],
      ownedDir: row.owned_dir === 1,
    };
  }

  requireOutputs(runId: string): RegisteredOutputs {
    const outputs = this.outputs(runId);
    if (!outputs) throw EngineError.of('not-found', `Run ${runId} has no calls to review (it is not an analysis run, or its outputs were never imported)`);
    return outputs;
  }

  /** Every call of the run with its review status, in VCF order. */
  allCalls(runId: string): CallSummary[] {
    const rows = this.db
      .prepare(
        `SELECT c.id, c.key, c.contig, c.pos, c.ref, c.alts, c.type, c.gt, c.gq, c.qual, c.depth, c.filter, c.abstain_reason,
                c.model_id, c.experts_json, c.verifier_json, '' AS evidence_json, r.status
         FROM calls c LEFT JOIN reviews r ON r.run_id = c.run_id AND r.call_id = c.id
         WHERE c.run_id = ? ORDER BY c.id`,
      )
      .all(runId) as CallRow[];
    return rows.map(toSummary);
  }

  call(runId: string, callId: number): { summary: CallSummary; evidenceJson: string } {
    const row = this.db
      .prepare(
        `SELECT c.*, r.status FROM calls c LEFT JOIN reviews r ON r.run_id = c.run_id AND r.call_id = c.id
         WHERE c.run_id = ? AND c.id = ?`,
      )
      .get(runId, callId) as CallRow | undefined;
    if (!row) throw EngineError.of('not-found', `Run ${runId} has no call ${callId}`);
    return { summary: toSummary(row), evidenceJson: row.evidence_json };
  }

  review(runId: string, callId: number): ReviewRecord | null {
    const row = this.db.prepare('SELECT * FROM reviews WHERE run_id = ? AND call_id = ?').get(runId, callId) as
      | { status: ReviewDecision; note: string; reviewer: string; reviewed_at: string }
      | undefined;
    return row ? { runId, callId, status: row.status, note: row.note, reviewer: row.reviewer, at: row.reviewed_at } : null;
  }

  reviewsByCall(runId: string): Map<number, ReviewRecord> {
    const rows = this.db.prepare('SELECT * FROM reviews WHERE run_id = ?').all(runId) as {
      call_id: number;
      status: ReviewDecision;
      note: string;
      reviewer: string;
      reviewed_at: string;
    }[];
    return new Map(rows.map((r) => [r.call_id, { runId, callId: r.call_id, status: r.status, note: r.note, reviewer: r.reviewer, at: r.reviewed_at }]));
  }

  reviewedCount(runId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM reviews WHERE run_id = ?').get(runId) as { n: number }).n;
  }

  callCount(runId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM calls WHERE run_id = ?').get(runId) as { n: number }).n;
  }

  /** Records a decision: the current review and its audit line, atomically. */
  setReview(runId: string, callId: number, status: ReviewDecision, note: string, reviewer: string, at = new Date().toISOString()): ReviewRecord {
    const { summary } = this.call(runId, callId);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO reviews (run_id, call_id, status, note, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, call_id) DO UPDATE SET status = excluded.status, note = excluded.note,
             reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at`,
        )
        .run(runId, callId, status, note, reviewer, at);
      this.appendAudit({ runId, action: 'review.set', callId, callKey: summary.key, status, previousStatus: summary.reviewStatus, note, reviewer, at });
    })();
    return { runId, callId, status, note, reviewer, at };
  }

  appendAudit(entry: {
    runId: string;
    action: ReviewAuditAction;
    at?: string;
    callId?: number;
    callKey?: string;
    status?: ReviewStatus;
    previousStatus?: ReviewStatus;
    note?: string;
    reviewer?: string;
  }): void {
    this.db
      .prepare(
        'INSERT INTO review_audit (run_id, action, call_id, call_key, status, previous_status, note, reviewer, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        entry.runId,
        entry.action,
        entry.callId ?? null,
        entry.callKey ?? null,
        entry.status ?? null,
        entry.previousStatus ?? null,
        entry.note ?? null,
        entry.reviewer ?? null,
        entry.at ?? new Date().toISOString(),
      );
  }

  history(runId: string, callId?: number): ReviewAuditEntry[] {
    const rows = (
      callId === undefined
        ? this.db.prepare('SELECT * FROM review_audit WHERE run_id = ? ORDER BY seq').all(runId)
        : this.db.prepare('SELECT * FROM review_audit WHERE run_id = ? AND call_id = ? ORDER BY seq').all(runId, callId)
    ) as AuditRow[];
    return rows.map(toAuditEntry);
  }

  /** Deletes the run and everything hanging off it; the audit log keeps its lines and gains one. */
  deleteRun(runId: string): void {
    this.db.transaction(() => {
      const changed = this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId).changes;
      if (changed !== 1) throw EngineError.of('not-found', `No run with id ${runId}`);
      this.appendAudit({ runId, action: 'run.deleted' });
    })();
  }

  addTrack(track: Omit<StoredUserTrack, 'url' | 'indexUrl'>): StoredUserTrack {
    this.db
      .prepare('INSERT INTO user_tracks (id, run_id, name, path, index_path, format, size_bytes, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(track.id, track.runId, track.name, track.path, track.indexPath, track.format, track.sizeBytes, track.addedAt);
    return this.track(track.id)!;
  }

  track(trackId: string): StoredUserTrack | null {
    const row = this.db.prepare('SELECT * FROM user_tracks WHERE id = ?').get(trackId) as TrackRow | undefined;
    return row ? toTrack(row) : null;
  }

  tracks(runId: string): StoredUserTrack[] {
    return (this.db.prepare('SELECT * FROM user_tracks WHERE run_id = ? ORDER BY added_at, id').all(runId) as TrackRow[]).map(toTrack);
  }

  removeTrack(runId: string, trackId: string): boolean {
    return this.db.prepare('DELETE FROM user_tracks WHERE run_id = ? AND id = ?').run(runId, trackId).changes === 1;
  }
}
