import { writeFile, rename } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { compareVcfFiles } from '../../../engine/compare/compare.js';
import { formatReportText } from '../../../engine/compare/table.js';
import { VcfFormatError } from '../../../engine/compare/vcf.js';

const USAGE = `Usage: genomaic compare [options] TRUTH.vcf[.gz] CALLS.vcf[.gz] --ref REF.fa

Compares calls with a truth set haplotype-aware: variants near each other are grouped into
windows and both sides' haplotype sequences are compared, so different representations of
the same haplotype (an MNP and its SNPs, an indel shifted within a repeat, split or merged
records) count as the same call, as vcfeval does. Prints TP, FP, FN, recall, precision and
F1 for SNPs and indels, genotype concordance, strata by repeat context and depth, GQ
calibration and a risk–coverage table, and writes the full report as JSON.

Options:
  --ref FILE           reference FASTA (plain with .fai is fastest; gzip/bgzip accepted)
  --regions BED        evaluate only variants starting inside these regions
  --out FILE           JSON report path (default: <calls name>.compare.json here)
  --json               print the JSON report on stdout instead of the table
  --min-qual Q         ignore calls with QUAL below Q
  --all-records        include records whose FILTER is not PASS
  --truth-sample NAME  sample column of the truth (default: the first)
  --call-sample NAME   sample column of the calls (default: the first)
  --depth FILE         per-base depth for recall by depth: samtools depth output
                       (chrom, pos, depth) or BED-like (chrom, start, end, depth, e.g.
                       mosdepth *.per-base.bed.gz); otherwise FORMAT/INFO DP of calls
  --details            include every variant's verdict in the JSON report
  -h, --help           this text

Exit codes: 0 done, 1 bad input (the message names file, line and fault), 2 usage,
3 internal error.`;

function defaultReportPath(callsPath: string): string {
  return `${basename(callsPath).replace(/\.vcf(\.b?gz)?$|\.bcf$/, '')}.compare.json`;
}

function parseNumberFlag(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} needs a number, got '${value}'`);
  return n;
}

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: 'compare calls with a truth VCF (haplotype-aware), print metrics, write JSON',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    let minQual: number | null;
    try {
      parsed = parseArgs(argv, {
        ref: { type: 'string' },
        regions: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'min-qual': { type: 'string' },
        'all-records': { type: 'boolean' },
        'truth-sample': { type: 'string' },
        'call-sample': { type: 'string' },
        depth: { type: 'string' },
        details: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (boolFlag(parsed, 'help')) {
        io.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      }
      if (parsed.positionals.length !== 2) throw new UsageError(`expected TRUTH and CALLS, got ${parsed.positionals.length} file(s)`);
      if (!stringFlag(parsed, 'ref')) throw new UsageError('--ref is required');
      minQual = parseNumberFlag(stringFlag(parsed, 'min-qual'), 'min-qual');
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`genomaic compare: ${err.message}\n\n${USAGE}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    const [truthPath, callsPath] = parsed.positionals as [string, string];
    let report;
    try {
      const truthSample = stringFlag(parsed, 'truth-sample');
      const callSample = stringFlag(parsed, 'call-sample');
      report = await compareVcfFiles({
        truthPath,
        callsPath,
        referencePath: stringFlag(parsed, 'ref')!,
        regionsPath: stringFlag(parsed, 'regions') ?? null,
        ...(truthSample !== undefined ? { truthSample } : {}),
        ...(callSample !== undefined ? { callSample } : {}),
        passOnly: !boolFlag(parsed, 'all-records'),
        minQual,
        depthTrackPath: stringFlag(parsed, 'depth') ?? null,
        includeVariants: boolFlag(parsed, 'details'),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof VcfFormatError || code === 'ENOENT' || code === 'EACCES' || code === 'Z_DATA_ERROR' || (err instanceof Error && /BED line/.test(err.message))) {
        io.stderr.write(`genomaic compare: ${(err as Error).message}\n`);
        return EXIT.badInput;
      }
      throw err;
    }
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const outPath = stringFlag(parsed, 'out') ?? defaultReportPath(callsPath);
    // Written under a temporary name and renamed, so a reader never sees half a report.
    const tmp = `${outPath}.tmp-${process.pid}`;
    await writeFile(tmp, json);
    await rename(tmp, outPath);
    if (boolFlag(parsed, 'json')) io.stdout.write(json);
    else io.stdout.write(`${formatReportText(report)}report written to ${outPath}\n`);
    return EXIT.ok;
  },
};
