/**
 * Which file a `files/…` URL names. Both hosts (browser mode's files route, Electron's
 * scheme handler) resolve URLs here, and only to files registered to a run or a user track
 * in the database: a URL never carries a path, so no request can read an arbitrary file.
 *
 *   files/<runId>/<artifact>/<name>        a run's file (RunArtifact); <name> is cosmetic
 *   files/user/<trackId>/<name>            a user track
 *   files/user/<trackId>/index/<name>      its index (.tbi/.csi)
 *
 * The trailing <name> keeps the file's extension in the URL, from which igv.js infers formats.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { RunArtifact } from '../../app/contract.js';
import { reviewExportPaths } from './reviewed-vcf.js';
import type { ReviewStore } from './review-store.js';

export const RUN_ARTIFACTS: readonly RunArtifact[] = [
  'reference',
  'reference-index',
  'reference-gzi',
  'bam',
  'bam-index',
  'vcf',
  'vcf-index',
  'abstention-bed',
  'provenance',
  'reviewed-vcf',
  'reviewed-vcf-index',
  'report',
];

export function artifactUrl(runId: string, artifact: RunArtifact, path: string): string {
  return `files/${encodeURIComponent(runId)}/${artifact}/${encodeURIComponent(basename(path))}`;
}

export function runArtifactPath(reviews: ReviewStore, dataDir: string, runId: string, artifact: RunArtifact): string | null {
  const registered = reviews.outputs(runId);
  if (!registered) return null;
  const o = registered.outputs;
  const exports = reviewExportPaths(dataDir, runId, o.sample);
  const byArtifact: Record<RunArtifact, string | null> = {
    reference: o.referencePath,
    'reference-index': o.referenceIndexPath,
    'reference-gzi': o.referenceGziPath,
    bam: o.bam,
    'bam-index': o.bamIndex,
    vcf: o.vcf,
    'vcf-index': o.vcfIndex,
    'abstention-bed': o.abstentionBed,
    provenance: o.provenance,
    'reviewed-vcf': exports.vcf,
    'reviewed-vcf-index': exports.vcfIndex,
    report: exports.report,
  };
  const path = byArtifact[artifact];
  return path !== null && existsSync(path) ? path : null;
}

export interface ServedFile {
  path: string;
  contentType: string;
  /** Exports are downloads: never rendered inside the app's origin. */
  download: boolean;
}

function contentTypeOf(path: string): string {
  if (/\.html$/i.test(path)) return 'text/html; charset=utf-8';
  if (/\.(bed|fai|jsonl|bedgraph|vcf|fa|fasta)$/i.test(path)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** `rest` is the URL path after `/files/`, still percent-encoded. */
export function resolveServedFile(reviews: ReviewStore, dataDir: string, rest: string): ServedFile | null {
  let parts: string[];
  try {
    parts = rest.split('/').map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null;
  if (parts[0] === 'user') {
    const trackId = parts[1];
    const wantsIndex = parts.length === 4 && parts[2] === 'index';
    if (!trackId || !(parts.length === 3 || wantsIndex)) return null;
    const track = reviews.track(trackId);
    const path = track ? (wantsIndex ? track.indexPath : track.path) : null;
    return path && existsSync(path) ? { path, contentType: contentTypeOf(path), download: false } : null;
  }
  if (parts.length !== 3) return null;
  const [runId, artifact] = parts as [string, string];
  if (!(RUN_ARTIFACTS as readonly string[]).includes(artifact)) return null;
  const path = runArtifactPath(reviews, dataDir, runId, artifact as RunArtifact);
  if (!path) return null;
  const download = artifact === 'reviewed-vcf' || artifact === 'reviewed-vcf-index' || artifact === 'report';
  return { path, contentType: download ? 'application/octet-stream' : contentTypeOf(path), download };
}
