/**
 * Scoring call sets against the truth with the comparator (engine/compare), and the
 * cross-check of each score against `bcftools norm -m -any -a` + `bcftools isec` on the
 * same filtered files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepRecord, StepRunner } from './exec.js';
import { compareVcfFiles } from '../engine/compare/compare.js';
import type { CrossCheckReport } from '../engine/compare/crosscheck.js';
import { crossCheck, parseIsecSites } from '../engine/compare/crosscheck.js';
import type { ClassTable, CompareReport } from '../engine/compare/types.js';

/** The kit's call filter, as the quoted peer rows: QUAL ≥ 20, PASS, a non-reference genotype. */
export const MIN_QUAL = 20;

export interface Evaluation {
  /** Comparator report without per-variant verdicts (kept small for results JSON). */
  report: CompareReport;
  /** Per evaluation region, when the suite has more than one (metrics only, to keep results small). */
  byRegion: Record<string, ClassTable>;
  crossCheck: CrossCheckReport;
  filteredCalls: string;
  steps: StepRecord[];
  comparatorSeconds: number;
}

/** Truth restricted to the evaluation regions, split and atomised for isec. */
export async function atomisedTruth(truthVcf: string, evalBed: string, reference: string, outDir: string, runner: StepRunner): Promise<string> {
  const out = join(outDir, 'truth.atomised.vcf.gz');
  await runner.step('truth-atomised', { truthVcf, evalBed }, [out, `${out}.tbi`], async (exec) => {
    await exec([
      { cmd: 'bcftools', args: ['view', '-T', evalBed, '-Ou', truthVcf] },
      { cmd: 'bcftools', args: ['norm', '-m', '-any', '-a', '-f', reference, '-Oz', '-o', out] },
    ]);
    await exec([{ cmd: 'bcftools', args: ['index', '-f', '-t', out] }]);
  });
  return out;
}

export async function evaluateCalls(
  name: string,
  callsVcf: string,
  truth: { vcf: string; atomised: string; sample: string },
  reference: string,
  evalBed: string,
  regionBeds: Record<string, string>,
  depthTrack: string | null,
  outDir: string,
  runner: StepRunner,
): Promise<Evaluation> {
  const filtered = join(outDir, `${name}.q${MIN_QUAL}.vcf.gz`);
  const atomised = join(outDir, `${name}.q${MIN_QUAL}.atomised.vcf.gz`);
  const isecDir = join(outDir, `${name}.isec`);
  const steps: StepRecord[] = [];
  steps.push(
    await runner.step(`filter-${name}`, { callsVcf, evalBed, minQual: MIN_QUAL }, [filtered, `${filtered}.tbi`, join(isecDir, 'sites.txt')], async (exec) => {
      await exec([{ cmd: 'bcftools', args: ['view', '-T', evalBed, '-f', 'PASS,.', '-i', `QUAL>=${MIN_QUAL} && GT="alt"`, '-Oz', '-o', filtered, callsVcf] }]);
      await exec([{ cmd: 'bcftools', args: ['index', '-f', '-t', filtered] }]);
      // The cross-check baseline: split, atomise, and intersect by exact allele.
      await exec([{ cmd: 'bcftools', args: ['norm', '-m', '-any', '-a', '-f', reference, '-Oz', '-o', atomised, filtered] }]);
      await exec([{ cmd: 'bcftools', args: ['index', '-f', '-t', atomised] }]);
      await exec([{ cmd: 'rm', args: ['-rf', isecDir] }]);
      await exec([{ cmd: 'bcftools', args: ['isec', '-p', isecDir, truth.atomised, atomised] }]);
    }),
  );
  const started = performance.now();
  const common = { truthPath: truth.vcf, callsPath: filtered, referencePath: reference, truthSample: truth.sample, depthTrackPath: depthTrack };
  const detailed = await compareVcfFiles({ ...common, regionsPath: evalBed, includeVariants: true });
  const comparatorSeconds = (performance.now() - started) / 1000;
  const sites = parseIsecSites(readFileSync(join(isecDir, 'sites.txt'), 'utf8'));
  const check = crossCheck(detailed.variants!, sites);
  const { variants: _omitted, ...report } = detailed;
  const byRegion: Record<string, ClassTable> = {};
  if (Object.keys(regionBeds).length > 1) {
    for (const [region, bed] of Object.entries(regionBeds)) byRegion[region] = (await compareVcfFiles({ ...common, regionsPath: bed })).metrics;
  }
  return { report, byRegion, crossCheck: check, filteredCalls: filtered, steps, comparatorSeconds };
}
