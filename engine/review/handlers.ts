/**
 * The review workstation's requests, as a typed map the Engine spreads into its handlers.
 * Parameters arrive from outside the process, so each handler checks them before use.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type {
  CallDetail,
  CallFilter,
  CallSort,
  CallSortKey,
  EventChannel,
  EventMap,
  RequestParams,
  RequestResult,
  ReviewDecision,
  ReviewOutcome,
  ReviewWorkspace,
  RunDeletion,
} from '../../app/contract.js';
import { RESEARCH_NOTICE } from '../../app/contract.js';
import { EngineError } from '../errors.js';
import type { ProjectStore } from '../store/project-store.js';
import { appVersion } from '../version.js';
import { ABSTAIN_REASON_TEXT } from '../call/types.js';
import { writeFileAtomically } from '../formats/atomic-file.js';
import { parseFai } from '../reference/fasta-scanner.js';
import { CallIndex, MAX_PAGE_ROWS } from './call-query.js';
import { callDetailOf, type SidecarRecord } from './evidence.js';
import { importAnalysisFolder } from './import-outputs.js';
import { ReviewStore } from './review-store.js';
import { reviewExportPaths, writeReviewedVcf } from './reviewed-vcf.js';
import { renderReport } from './report.js';
import { artifactUrl } from './served-files.js';
import { checkUserTrack } from './user-tracks.js';

export type ReviewChannel =
  | 'analysis.import'
  | 'review.workspace'
  | 'calls.list'
  | 'call.get'
  | 'review.set'
  | 'review.history'
  | 'export.reviewedVcf'
  | 'export.report'
  | 'run.delete'
  | 'tracks.add'
  | 'tracks.remove';

export type ReviewHandlers = { [C in ReviewChannel]: (params: RequestParams<C>) => Promise<RequestResult<C>> };

export interface ReviewContext {
  store: ProjectStore;
  dataDir: string;
  emit<E extends EventChannel>(event: E, payload: EventMap[E]): void;
  /** A job is still writing this run: it cannot be deleted until cancelled. */
  isRunActive(runId: string): boolean;
}

const DECISIONS: readonly ReviewDecision[] = ['accepted', 'rejected', 'uncertain'];
const SORT_KEYS: readonly CallSortKey[] = ['position', 'type', 'gq', 'qual', 'depth', 'filter', 'verifier', 'review'];
const MAX_NOTE = 4000;
const MAX_REVIEWER = 200;
/** Call indexes kept in memory (the open run and the one before). */
const CACHED_RUNS = 2;

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw EngineError.of('invalid-request', `${name} must be a non-empty string`);
  return value;
}

function requireCallId(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw EngineError.of('invalid-request', 'callId must be a non-negative integer');
  return value;
}

function optionalStringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw EngineError.of('invalid-request', `filter.${name} must be a list of strings`);
  return value as string[];
}

function optionalNumber(value: unknown, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw EngineError.of('invalid-request', `filter.${name} must be a number`);
  return value;
}

export function parseSort(value: unknown): CallSort | undefined {
  if (value === undefined || value === null) return undefined;
  const s = value as { key?: unknown; direction?: unknown };
  if (typeof s.key !== 'string' || !(SORT_KEYS as readonly string[]).includes(s.key)) throw EngineError.of('invalid-request', `sort.key must be one of ${SORT_KEYS.join(', ')}`);
  if (s.direction !== 'asc' && s.direction !== 'desc') throw EngineError.of('invalid-request', "sort.direction must be 'asc' or 'desc'");
  return { key: s.key as CallSortKey, direction: s.direction };
}

/** Rebuilt field by field, so only known keys with checked types reach the query. */
export function parseFilter(value: unknown): CallFilter | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw EngineError.of('invalid-request', 'filter must be an object');
  const f = value as Record<string, unknown>;
  const filter: CallFilter = {};
  const types = optionalStringList(f.types, 'types');
  if (types) filter.types = types as CallFilter['types'];
  const filters = optionalStringList(f.filters, 'filters');
  if (filters) filter.filters = filters;
  const reasons = optionalStringList(f.abstainReasons, 'abstainReasons');
  if (reasons) filter.abstainReasons = reasons;
  const experts = optionalStringList(f.experts, 'experts');
  if (experts) filter.experts = experts;
  const verifier = optionalStringList(f.verifier, 'verifier');
  if (verifier) filter.verifier = verifier as CallFilter['verifier'];
  const review = optionalStringList(f.review, 'review');
  if (review) filter.review = review as CallFilter['review'];
  filter.minGq = optionalNumber(f.minGq, 'minGq');
  filter.maxGq = optionalNumber(f.maxGq, 'maxGq');
  if (typeof f.contig === 'string' && f.contig !== '') filter.contig = f.contig;
  return filter;
}

function isInside(child: string, parent: string): boolean {
  return resolve(child).startsWith(resolve(parent) + sep);
}

export function reviewHandlers(ctx: ReviewContext): ReviewHandlers {
  const reviews = new ReviewStore(ctx.store.connection);
  const indexes = new Map<string, CallIndex>();

  const callIndex = (runId: string): CallIndex => {
    let index = indexes.get(runId);
    if (index) {
      // Most recently used last, so the oldest is the first key.
      indexes.delete(runId);
      indexes.set(runId, index);
      return index;
    }
    reviews.requireOutputs(runId);
    index = new CallIndex(reviews.allCalls(runId));
    indexes.set(runId, index);
    while (indexes.size > CACHED_RUNS) indexes.delete(indexes.keys().next().value!);
    return index;
  };

  const detail = (runId: string, callId: number): CallDetail => {
    const registered = reviews.requireOutputs(runId);
    const { summary, evidenceJson } = reviews.call(runId, callId);
    const sidecar = JSON.parse(evidenceJson) as SidecarRecord;
    const vcfDepths = Array.isArray(sidecar.alleleDepths) ? sidecar.alleleDepths : [];
    return { ...callDetailOf(summary, sidecar.key ? sidecar : null, vcfDepths, registered.provenance), review: reviews.review(runId, callId) };
  };

  return {
    'analysis.import': async (params) => {
      const dir = requireString(params.dir, 'dir');
      const runId = await importAnalysisFolder(ctx.store, reviews, dir, ctx.dataDir);
      ctx.emit('run.updated', ctx.store.getRunSummary(runId));
      return { runId };
    },

    'review.workspace': async (params): Promise<ReviewWorkspace> => {
      const runId = requireString(params.runId, 'runId');
      const { outputs: o, provenance, abstentions } = reviews.requireOutputs(runId);
      const contigs = parseFai(await readFile(o.referenceIndexPath, 'utf8'), o.referenceIndexPath).map((e) => ({ name: e.name, length: e.length }));
      return {
        runId,
        sample: o.sample,
        urls: {
          reference: artifactUrl(runId, 'reference', o.referencePath),
          referenceIndex: artifactUrl(runId, 'reference-index', o.referenceIndexPath),
          referenceGzi: o.referenceGziPath ? artifactUrl(runId, 'reference-gzi', o.referenceGziPath) : null,
          bam: artifactUrl(runId, 'bam', o.bam),
          bamIndex: artifactUrl(runId, 'bam-index', o.bamIndex),
          vcf: artifactUrl(runId, 'vcf', o.vcf),
          vcfIndex: artifactUrl(runId, 'vcf-index', o.vcfIndex),
          abstentionBed: artifactUrl(runId, 'abstention-bed', o.abstentionBed),
        },
        contigs,
        abstentions,
        abstainReasonText: { ...ABSTAIN_REASON_TEXT },
        provenance,
        callCount: reviews.callCount(runId),
        reviewedCount: reviews.reviewedCount(runId),
        userTracks: reviews.tracks(runId).map(({ indexPath: _indexPath, ...track }) => track),
      };
    },

    'calls.list': async (params) => {
      const runId = requireString(params.runId, 'runId');
      const offset = typeof params.offset === 'number' && params.offset >= 0 ? params.offset : 0;
      const limit = typeof params.limit === 'number' && params.limit > 0 ? Math.min(params.limit, MAX_PAGE_ROWS) : 100;
      return callIndex(runId).query(offset, limit, parseSort(params.sort), parseFilter(params.filter));
    },

    'call.get': async (params) => detail(requireString(params.runId, 'runId'), requireCallId(params.callId)),

    'review.set': async (params): Promise<ReviewOutcome> => {
      const runId = requireString(params.runId, 'runId');
      const callId = requireCallId(params.callId);
      if (!(DECISIONS as readonly unknown[]).includes(params.status)) throw EngineError.of('invalid-request', `status must be one of ${DECISIONS.join(', ')}`);
      const reviewer = typeof params.reviewer === 'string' ? params.reviewer.trim() : '';
      if (reviewer === '') throw EngineError.of('invalid-request', 'A review needs the reviewer’s name');
      if (reviewer.length > MAX_REVIEWER) throw EngineError.of('invalid-request', `The reviewer’s name is longer than ${MAX_REVIEWER} characters`);
      const note = typeof params.note === 'string' ? params.note : '';
      if (note.length > MAX_NOTE) throw EngineError.of('invalid-request', `The note is longer than ${MAX_NOTE} characters`);
      reviews.requireOutputs(runId);
      const review = reviews.setReview(runId, callId, params.status, note, reviewer);
      indexes.get(runId)?.setReviewStatus(callId, review.status);
      const outcome: ReviewOutcome = { review, call: reviews.call(runId, callId).summary };
      ctx.emit('review.updated', outcome);
      return outcome;
    },

    'review.history': async (params) => {
      const runId = requireString(params.runId, 'runId');
      return reviews.history(runId, params.callId === undefined ? undefined : requireCallId(params.callId));
    },

    'export.reviewedVcf': async (params) => {
      const runId = requireString(params.runId, 'runId');
      const { outputs } = reviews.requireOutputs(runId);
      const paths = reviewExportPaths(ctx.dataDir, runId, outputs.sample);
      await mkdir(paths.dir, { recursive: true });
      const reviewMap = reviews.reviewsByCall(runId);
      const exportedAt = new Date().toISOString();
      const summary = await writeReviewedVcf(outputs, reviewMap, paths.vcf, {
        software: `GenomAIc ${appVersion()}`,
        exportedAt,
        auditEntries: reviews.history(runId).length,
      });
      reviews.appendAudit({ runId, action: 'export.reviewedVcf', at: exportedAt, note: `${summary.reviewed} reviewed of ${summary.records} records → ${paths.vcf}` });
      return { path: paths.vcf, url: artifactUrl(runId, 'reviewed-vcf', paths.vcf), bytes: summary.bytes, records: summary.records, reviewed: summary.reviewed };
    },

    'export.report': async (params) => {
      const runId = requireString(params.runId, 'runId');
      const registered = reviews.requireOutputs(runId);
      const paths = reviewExportPaths(ctx.dataDir, runId, registered.outputs.sample);
      await mkdir(paths.dir, { recursive: true });
      const reviewMap = reviews.reviewsByCall(runId);
      const generatedAt = new Date().toISOString();
      const run = ctx.store.getRun(runId);
      const calls = reviews.allCalls(runId);
      reviews.appendAudit({ runId, action: 'export.report', at: generatedAt, note: paths.report });
      const html = renderReport({
        run,
        outputs: registered.outputs,
        provenance: registered.provenance,
        calls,
        reviews: reviewMap,
        abstentions: registered.abstentions,
        abstainReasonText: ABSTAIN_REASON_TEXT,
        audit: reviews.history(runId),
        qcFiles: run.files,
        generatedAt,
        software: `GenomAIc ${appVersion()}`,
        notice: RESEARCH_NOTICE,
      });
      await writeFileAtomically(paths.report, html);
      const bytes = (await stat(paths.report)).size;
      return { path: paths.report, url: artifactUrl(runId, 'report', paths.report), bytes, records: calls.length, reviewed: reviewMap.size };
    },

    'run.delete': async (params): Promise<RunDeletion> => {
      const runId = requireString(params.runId, 'runId');
      // The UI asks the user to confirm; the request repeats the id so a stray call cannot delete.
      if (params.confirm !== runId) throw EngineError.of('invalid-request', 'run.delete needs confirm equal to the run id');
      if (ctx.isRunActive(runId)) throw EngineError.of('invalid-request', 'The run is still running: cancel it before deleting it');
      ctx.store.getRunSummary(runId); // not-found names the id
      const registered = reviews.outputs(runId);
      reviews.deleteRun(runId);
      indexes.delete(runId);
      // The app's own files for the run go with it; a folder the user chose stays on disk.
      const appFiles = join(ctx.dataDir, 'review', runId);
      await rm(appFiles, { recursive: true, force: true });
      let removedFiles = true;
      let keptDir: string | null = null;
      if (registered) {
        const dir = registered.outputs.outputDir;
        if (registered.ownedDir && isInside(dir, ctx.dataDir)) await rm(dir, { recursive: true, force: true });
        else {
          removedFiles = false;
          keptDir = dir;
        }
      }
      ctx.emit('run.deleted', { runId });
      return { deleted: true, removedFiles, keptDir };
    },

    'tracks.add': async (params) => {
      const runId = requireString(params.runId, 'runId');
      const path = requireString(params.path, 'path');
      reviews.requireOutputs(runId);
      const checked = await checkUserTrack(path, typeof params.name === 'string' ? params.name : undefined);
      const { indexPath: _indexPath, ...track } = reviews.addTrack({ id: randomUUID(), runId, ...checked, addedAt: new Date().toISOString() });
      return track;
    },

    'tracks.remove': async (params) => ({
      removed: reviews.removeTrack(requireString(params.runId, 'runId'), requireString(params.trackId, 'trackId')),
    }),
  };
}
