/**
 * `genomaic doctor` and `genomaic train` as a user runs them (in-process, with captured
 * streams): doctor must say which backend runs and why the others do not; train must refuse
 * bad configs naming file and key, and produce a checkpoint from the tiny config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../../app/cli/command.js';
import { doctorCommand, type DoctorReport } from '../../../app/cli/commands/doctor.js';
import { trainCommand } from '../../../app/cli/commands/train.js';
import { findPackageRoot } from '../../../engine/version.js';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdout, stderr, stderrIsTty: false }, out: () => out, err: () => err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-model-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('genomaic doctor', () => {
  it('reports the backend in use, why the others are not, and the environment, as JSON', async () => {
    const c = captureIo();
    expect(await doctorCommand.run(['--json'], c.io)).toBe(0);
    const report = JSON.parse(c.out()) as DoctorReport;
    expect(['wasm', 'cpu', 'tensorflow']).toContain(report.modelBackend.backend);
    expect(report.modelBackend.tried[0]!.name).toBe('tfjs-node-gpu');
    expect(report.modelBackend.tried.every((t) => t.reason.length > 0)).toBe(true);
    expect(report.node).toBe(process.versions.node);
    expect(report.tools.map((t) => t.name)).toEqual(['samtools', 'bcftools']);
    expect(typeof report.electron.binaryPresent).toBe('boolean');
    expect(report.dataDir.path.length).toBeGreaterThan(0);
  });

  it('prints a readable report and refuses unknown options and backends', async () => {
    const c = captureIo();
    expect(await doctorCommand.run([], c.io)).toBe(0);
    expect(c.out()).toMatch(/backend in use: \w+ \(from [\w-]+\)/);
    expect(c.out()).toContain('tfjs-node-gpu:');
    expect(await doctorCommand.run(['--frob'], captureIo().io)).toBe(2);
    expect(await doctorCommand.run(['--backend', 'webgpu'], captureIo().io)).toBe(2);
  });
});

describe('genomaic train', () => {
  it('needs --config', async () => {
    const c = captureIo();
    expect(await trainCommand.run([], c.io)).toBe(2);
    expect(c.err()).toContain('--config is required');
  });

  it('refuses a bad config naming the file and the key', async () => {
    const file = join(dir, 'bad.yaml');
    const tiny = readFileSync(join(findPackageRoot(), 'configs', 'model', 'tiny.yaml'), 'utf8');
    writeFileSync(file, tiny.replace('chunkSize: 16', 'chunkSize: 0'));
    const c = captureIo();
    expect(await trainCommand.run(['--config', file], c.io)).toBe(1);
    expect(c.err()).toContain(`${file}: model.chunkSize: must be a whole number from 1 to 1024 (got 0)`);
  });

  it('trains the tiny config into the given folder', async () => {
    const out = join(dir, 'tiny-model');
    const c = captureIo();
    expect(await trainCommand.run(['--config', join(findPackageRoot(), 'configs', 'model', 'tiny.yaml'), '--out', out, '--json'], c.io)).toBe(0);
    const manifest = JSON.parse(c.out()) as { modelId: string; metrics: Record<string, number> };
    expect(manifest.modelId).toBe('genomeltm-moe-tiny');
    expect(c.err()).toContain('backend in use');
    expect(c.err()).toMatch(/step 60\/60/);
    expect(readFileSync(join(out, 'training.log'), 'utf8')).toContain('held-out candidates');
  });
});
