/**
 * Versioned schema migrations, applied in order inside one transaction each. Append only:
 * a released migration is never edited, because databases in the field already ran it.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, their inputs and QC reports',
    sql: `
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled','interrupted')),
        created_at    TEXT NOT NULL,
        finished_at   TEXT,
        app_version   TEXT NOT NULL,
        config_json   TEXT NOT NULL,
        config_hash   TEXT NOT NULL,
        error_json    TEXT,
        pairs_json    TEXT,
        owner_pid     INTEGER,
        owner_host    TEXT
      );
      CREATE INDEX runs_created ON runs(created_at);
      CREATE TABLE run_inputs (
        run_id            TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        ordinal           INTEGER NOT NULL,
        path              TEXT NOT NULL,
        name              TEXT NOT NULL,
        size_bytes        INTEGER NOT NULL,
        sha256            TEXT,
        platform          TEXT,
        platform_override TEXT,
        report_json       TEXT,
        PRIMARY KEY (run_id, ordinal)
      );
    `,
  },
  {
    version: 2,
    description: 'review workstation: run outputs, calls, reviews, append-only review audit log, user tracks',
    sql: `
      CREATE TABLE run_outputs (
        run_id          TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        outputs_json    TEXT NOT NULL,
        provenance_json TEXT NOT NULL,
        abstentions_json TEXT NOT NULL,
        owned_dir       INTEGER NOT NULL DEFAULT 0,
        imported_at     TEXT NOT NULL
      );
      CREATE TABLE calls (
        run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        id             INTEGER NOT NULL,
        key            TEXT NOT NULL,
        contig         TEXT NOT NULL,
        pos            INTEGER NOT NULL,
        ref            TEXT NOT NULL,
        alts           TEXT NOT NULL,
        type           TEXT NOT NULL,
        gt             TEXT NOT NULL,
        gq             REAL,
        qual           REAL,
        depth          INTEGER NOT NULL,
        filter         TEXT NOT NULL,
        abstain_reason TEXT,
        model_id       TEXT NOT NULL,
        experts_json   TEXT,
        verifier_json  TEXT,
        evidence_json  TEXT NOT NULL,
        PRIMARY KEY (run_id, id)
      );
      CREATE INDEX calls_key ON calls(run_id, key);
      CREATE TABLE reviews (
        run_id      TEXT NOT NULL,
        call_id     INTEGER NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('accepted','rejected','uncertain')),
        note        TEXT NOT NULL,
        reviewer    TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        PRIMARY KEY (run_id, call_id),
        FOREIGN KEY (run_id, call_id) REFERENCES calls(run_id, id) ON DELETE CASCADE
      );
      -- The audit log outlives the runs it describes (no foreign key), and the database itself
      -- refuses to change or remove a line: only INSERT is possible.
      CREATE TABLE review_audit (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id          TEXT NOT NULL,
        action          TEXT NOT NULL,
        call_id         INTEGER,
        call_key        TEXT,
        status          TEXT,
        previous_status TEXT,
        note            TEXT,
        reviewer        TEXT,
        at              TEXT NOT NULL
      );
      CREATE INDEX review_audit_run ON review_audit(run_id, call_id);
      CREATE TRIGGER review_audit_no_update BEFORE UPDATE ON review_audit
        BEGIN SELECT RAISE(ABORT, 'review_audit is append-only: lines cannot be changed'); END;
      CREATE TRIGGER review_audit_no_delete BEFORE DELETE ON review_audit
        BEGIN SELECT RAISE(ABORT, 'review_audit is append-only: lines cannot be deleted'); END;
      CREATE TABLE user_tracks (
        id          TEXT PRIMARY KEY,
        run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        path        TEXT NOT NULL,
        index_path  TEXT,
        format      TEXT NOT NULL,
        size_bytes  INTEGER NOT NULL,
        added_at    TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'align runs: their BAM + BAI and alignment summary',
    sql: `
      CREATE TABLE run_alignments (
        run_id        TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        outputs_json  TEXT NOT NULL,
        recorded_at   TEXT NOT NULL
      );
    `,
  },
];
