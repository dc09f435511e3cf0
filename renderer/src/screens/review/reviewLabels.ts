/** Words for the review workstation's enumerations, and the keyboard shortcuts (one list, shown in-app and in docs/shortcuts.md). */
import type { CallSummary, ReviewStatus, VariantType, VerifierVerdict, VerifierVerdictKind } from '../../../../app/contract.ts';
import { formatDecimal } from '../../format/numbers.js';

export const VARIANT_TYPE_LABEL: Record<VariantType, string> = {
  snv: 'SNV',
  mnv: 'MNV',
  insertion: 'Insertion',
  deletion: 'Deletion',
  complex: 'Complex',
};

export const REVIEW_STATUS_LABEL: Record<ReviewStatus, string> = {
  unreviewed: 'Unreviewed',
  accepted: 'Accepted',
  rejected: 'Rejected',
  uncertain: 'Uncertain',
};

export const VERIFIER_LABEL: Record<VerifierVerdictKind, string> = {
  none: 'None',
  pass: 'Pass',
  reroute: 'Rerouted',
  abstain: 'Abstained',
};

export function verifierText(verdict: VerifierVerdict | null): string {
  if (!verdict) return 'none (no verifier ran)';
  if (verdict.kind === 'pass') return 'pass';
  if (verdict.kind === 'reroute') return `rerouted to ${verdict.expert}`;
  return `abstained: ${verdict.reason}`;
}

export function expertsText(call: Pick<CallSummary, 'experts'>): string {
  if (!call.experts || call.experts.length === 0) return 'statistical caller, no experts';
  return call.experts.map((e) => `${e.expert} ${formatDecimal(e.weight, 2)}`).join(', ');
}

export function locusText(call: Pick<CallSummary, 'contig' | 'pos'>): string {
  return `${call.contig}:${call.pos.toLocaleString('en-US')}`;
}

export function changeText(call: Pick<CallSummary, 'ref' | 'alts'>): string {
  const shorten = (s: string): string => (s.length > 12 ? `${s.slice(0, 10)}…(${s.length})` : s);
  return `${shorten(call.ref)}>${call.alts.length > 0 ? call.alts.map(shorten).join(',') : '.'}`;
}

/** igv.js locus for a call: a window around it, so the reads on both sides are visible. */
export function igvLocus(call: Pick<CallSummary, 'contig' | 'pos' | 'ref'>, flank = 40): string {
  const start = Math.max(1, call.pos - flank);
  const end = call.pos + call.ref.length - 1 + flank;
  return `${call.contig}:${start}-${end}`;
}

export interface Shortcut {
  keys: string[];
  action: string;
}

/** The review screen's shortcuts. Active when focus is not in a text field. */
export const REVIEW_SHORTCUTS: readonly Shortcut[] = [
  { keys: ['j', '↓'], action: 'Next call' },
  { keys: ['k', '↑'], action: 'Previous call' },
  { keys: ['Home'], action: 'First call' },
  { keys: ['End'], action: 'Last call' },
  { keys: ['a'], action: 'Accept the selected call (with the note)' },
  { keys: ['r'], action: 'Reject the selected call' },
  { keys: ['u'], action: 'Mark the selected call uncertain' },
  { keys: ['n'], action: 'Write a note' },
  { keys: ['h'], action: 'Highlight supporting / opposing reads in the genome view' },
  { keys: ['g'], action: 'Move the genome view back to the selected call' },
  { keys: ['f'], action: 'Focus the filters' },
  { keys: ['e'], action: 'Export the reviewed VCF' },
  { keys: ['?'], action: 'Show or hide this list' },
  { keys: ['Esc'], action: 'Close this list or leave a text field' },
];
