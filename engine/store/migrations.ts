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
];
