/**
 * Repeat context of a variant, because that is where callers (and sequencers) differ most:
 * homopolymers (a run of ≥ 6 of one base) and short tandem repeats (period 2–6, ≥ 12 bp)
 * that overlap the variant or touch it. Homopolymer wins when both apply.
 */
import type { RepeatContext } from './types.js';

export const HOMOPOLYMER_MIN_LENGTH = 6;
export const TANDEM_REPEAT_MIN_LENGTH = 12;
export const TANDEM_REPEAT_PERIODS = [2, 3, 4, 5, 6] as const;
/** How far around the variant repeats are looked for; longer repeats than this still count (they overlap). */
const SCAN_FLANK = 40;

/**
 * @param start 0-based first reference base the variant touches
 * @param end 0-based exclusive end (start + 1 for an SNV or insertion point)
 */
export function classifyContext(reference: string, start: number, end: number): RepeatContext {
  // A repeat "touches" the variant if it overlaps [start − 1, end + 1): insertions sit between bases.
  const touchStart = Math.max(0, start - 1);
  const touchEnd = Math.min(reference.length, Math.max(end, start + 1) + 1);
  const scanStart = Math.max(0, touchStart - SCAN_FLANK);
  const scanEnd = Math.min(reference.length, touchEnd + SCAN_FLANK);
  if (hasRepeat(reference, scanStart, scanEnd, touchStart, touchEnd, 1, HOMOPOLYMER_MIN_LENGTH)) return 'homopolymer';
  for (const period of TANDEM_REPEAT_PERIODS) {
    if (hasRepeat(reference, scanStart, scanEnd, touchStart, touchEnd, period, TANDEM_REPEAT_MIN_LENGTH)) return 'tandemRepeat';
  }
  return 'other';
}

/**
 * Whether a run where base[i] == base[i + period] (a tandem repeat of that period) of total
 * length ≥ minLength overlaps [touchStart, touchEnd). Runs are extended past the scan window
 * so a long repeat is measured whole. A run of period p made of one base is a homopolymer and
 * is left to the period-1 test.
 */
function hasRepeat(ref: string, scanStart: number, scanEnd: number, touchStart: number, touchEnd: number, period: number, minLength: number): boolean {
  let i = scanStart;
  while (i < scanEnd) {
    if (i + period >= ref.length || ref[i] !== ref[i + period] || ref[i] === 'N') {
      i++;
      continue;
    }
    let runStart = i;
    while (runStart > 0 && ref[runStart - 1] === ref[runStart - 1 + period]) runStart--;
    let runEnd = i;
    while (runEnd + period < ref.length && ref[runEnd] === ref[runEnd + period]) runEnd++;
    // Positions runStart..runEnd-1 equal their successor one period on: the repeat covers [runStart, runEnd + period).
    const repeatStart = runStart;
    const repeatEnd = runEnd + period;
    const length = repeatEnd - repeatStart;
    const isHomopolymer = period > 1 && /^(.)\1*$/.test(ref.slice(repeatStart, repeatEnd));
    if (length >= minLength && !isHomopolymer && repeatStart < touchEnd && repeatEnd > touchStart) return true;
    i = runEnd + 1;
  }
  return false;
}
