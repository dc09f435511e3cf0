/**
 * The kit's third-party tools and Debian data files: find them, install what is missing
 * (bench/setup-tools.sh), and fetch data files from Debian packages into the cache when the
 * system copy is absent (slim images often drop /usr/share/doc, where Debian puts examples).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { StepRunner } from './exec.js';
import { REPO_ROOT } from './report.js';

export interface ToolSpec {
  binary: string;
  debianPackage: string;
  /** What the kit uses it for (docs). */
  role: string;
}

export const TOOLS: readonly ToolSpec[] = [
  { binary: 'samtools', debianPackage: 'samtools', role: 'FASTA index, BAM sort/index/merge, per-base depth, BAM → FASTQ' },
  { binary: 'bcftools', debianPackage: 'bcftools', role: 'truth normalisation and consensus, peer caller, cross-check (norm + isec)' },
  { binary: 'bgzip', debianPackage: 'tabix', role: 'BGZF compression' },
  { binary: 'bwa', debianPackage: 'bwa', role: 'peer aligner (Illumina)' },
  { binary: 'minimap2', debianPackage: 'minimap2', role: 'peer aligner (long reads)' },
  { binary: 'freebayes', debianPackage: 'freebayes', role: 'peer caller' },
  { binary: 'seqkit', debianPackage: 'seqkit', role: 'read renaming, FASTQ statistics' },
  { binary: 'art_illumina', debianPackage: 'art-nextgen-simulation-tools', role: 'Illumina read simulator (HS25 profile)' },
  { binary: 'pbsim', debianPackage: 'pbsim', role: 'HiFi-like and ONT-like read simulator' },
  { binary: 'SURVIVOR', debianPackage: 'survivor', role: 'structural-variant simulation' },
  { binary: 'faketime', debianPackage: 'faketime', role: 'fixes the clock SURVIVOR seeds its random numbers from, so SV sets are reproducible' },
  { binary: 'sniffles', debianPackage: 'sniffles', role: 'peer SV caller' },
  { binary: 'cuteSV', debianPackage: 'cutesv', role: 'peer SV caller' },
];

export function findOnPath(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Installs missing tools through bench/setup-tools.sh; throws with what is missing if that fails. */
export function ensureTools(): void {
  const missing = TOOLS.filter((t) => !findOnPath(t.binary));
  if (missing.length === 0) return;
  process.stderr.write(`[bench] missing tools: ${missing.map((t) => t.binary).join(', ')}; running bench/setup-tools.sh\n`);
  try {
    execFileSync('sh', [join(REPO_ROOT, 'bench', 'setup-tools.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    // Reported below with the list of what is still missing.
  }
  const still = TOOLS.filter((t) => !findOnPath(t.binary));
  if (still.length > 0) {
    throw new Error(`still missing after bench/setup-tools.sh: ${still.map((t) => `${t.binary} (Debian package ${t.debianPackage})`).join(', ')}`);
  }
}

export function debianPackageVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'not installed';
  }
}

/**
 * Path of a file shipped by a Debian package: the installed copy if present, else the copy
 * extracted (apt-get download + dpkg-deb -x) into the cache.
 * @param packagePath path inside the package, e.g. usr/share/doc/vt/examples/ref/20.fa.gz
 */
export async function debianFile(pkg: string, packagePath: string, cacheDir: string, runner: StepRunner): Promise<string> {
  const system = `/${packagePath}`;
  if (existsSync(system)) return system;
  const root = join(cacheDir, 'debs', pkg);
  const extracted = join(root, packagePath);
  if (existsSync(extracted)) return extracted;
  mkdirSync(root, { recursive: true });
  await runner.step(`extract-${pkg}`, { pkg }, [extracted], async (exec) => {
    await exec([{ cmd: 'apt-get', args: ['download', pkg] }], { cwd: root });
    const deb = readdirSync(root).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb in ${root}`);
    await exec([{ cmd: 'dpkg-deb', args: ['-x', join(root, deb), root] }]);
  });
  if (!existsSync(extracted)) throw new Error(`${pkg} does not contain ${packagePath}`);
  return extracted;
}

/** Debian data files the kit reads. */
export const DATA_FILES = {
  chr20: { pkg: 'vt-examples', path: 'usr/share/doc/vt/examples/ref/20.fa.gz', licence: 'MIT' },
  chrM: { pkg: 'minimap2', path: 'usr/share/doc/minimap2/test/MT-human.fa.gz', licence: 'MIT' },
  panel: { pkg: 'shapeit4-example', path: 'usr/share/doc/shapeit4/examples/test/reference.vcf.gz', licence: 'Expat (MIT)' },
  ontSample: { pkg: 'python3-nanoget-examples', path: 'usr/share/doc/python3-nanoget/examples/nanotest/reads.fastq.gz', licence: 'GPL-3+' },
  tinyBam: { pkg: 'freebayes', path: 'usr/share/doc/freebayes/examples/tiny/NA12878.chr22.tiny.bam', licence: 'MIT' },
  tinyRef: { pkg: 'freebayes', path: 'usr/share/doc/freebayes/examples/tiny/q.fa', licence: 'MIT' },
  tinyTruth: { pkg: 'freebayes', path: 'usr/share/doc/freebayes/examples/tiny/NA12878.chr22.tiny.giab.vcf', licence: 'MIT' },
  pbsimModel: { pkg: 'pbsim', path: 'usr/share/pbsim/models/model_qc_clr', licence: 'GPL-2' },
} as const;

export type DataFileName = keyof typeof DATA_FILES;

export async function dataFile(name: DataFileName, cacheDir: string, runner: StepRunner): Promise<string> {
  const spec = DATA_FILES[name];
  return debianFile(spec.pkg, spec.path, cacheDir, runner);
}
