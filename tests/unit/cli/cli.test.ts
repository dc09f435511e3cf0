import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticIlluminaRecords } from '../../support/synthetic-fastq.js';
import { ProjectStore } from '../../../engine/store/project-store.js';
import type { RunDetail } from '../../../app/contract.js';

let dir: string;

/** The real executable, as a user or a workflow engine runs it. */
function genomaic(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/genomaic.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GENOMAIC_HOME: join(dir, 'home') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('genomaic CLI', () => {
  it('lists its commands and explains each with --help', () => {
    const top = genomaic('--help');
    expect(top.code).toBe(0);
    for (const name of ['qc', 'compare', 'serve']) expect(top.stdout).toContain(name);
    expect(top.stdout).toContain('Research use only');
    const qc = genomaic('qc', '--help');
    expect(qc.code).toBe(0);
    expect(qc.stdout).toContain('Usage: genomaic qc');
  });

  it('exits 2 with a usage message for unknown commands, flags and missing files', () => {
    expect(genomaic('frobnicate').code).toBe(2);
    const badFlag = genomaic('qc', '--jsn', 'x.fq');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('unknown option --jsn');
    expect(genomaic('qc').code).toBe(2);
    expect(genomaic('qc', '--platform', 'nanopore', 'x.fq').code).not.toBe(0);
  });

  it('runs QC, prints JSON and records the run with checksums', () => {
    const fastq = join(dir, 'reads_R1.fastq');
    writeFileSync(fastq, syntheticIlluminaRecords(2000, 150, 3));
    const r = genomaic('qc', '--json', fastq);
    expect(r.stderr).not.toMatch(/error|fault/i);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as RunDetail;
    expect(run.status).toBe('done');
    expect(run.files[0]?.qc.reads).toBe(2000);
    expect(run.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const store = ProjectStore.open(join(dir, 'home', 'project.sqlite'), { appVersion: '0', recoverInterrupted: false });
    expect(store.getRun(run.id).files[0]?.sha256).toBe(run.files[0]?.sha256);
    store.close();
  });

  it('exits 1 naming the file and record of a malformed FASTQ, and records the failed run', () => {
    const fastq = join(dir, 'bad.fastq');
    const lines = syntheticIlluminaRecords(4, 150, 3).split('\n');
    lines[12] = 'ACGT'; // record 4's sequence is now 4 bases against 150 qualities
    writeFileSync(fastq, lines.join('\n'));
    const r = genomaic('qc', fastq);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.fastq');
    expect(r.stderr).toMatch(/record 4/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 1 for a file that does not exist', () => {
    const r = genomaic('qc', join(dir, 'nowhere.fastq'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nowhere.fastq: no such file');
  });
});
