/**
 * Repeat context on the reference: the longest homopolymer or short tandem repeat (unit
 * 1–6 bp, at least two copies) touching a locus. Indels in such tracts can be written at any
 * position along them (hence left-alignment), and are where sequencers slip (hence a higher
 * gap-open probability in the error model and the REPEAT_CONTEXT abstention).
 */
export interface RepeatTract {
  /** 0-based start and exclusive end of the tract. */
  start: number;
  end: number;
  unit: string;
}

const MAX_UNIT = 6;

/**
 * The run around `anchor` where ref[i] == ref[i + unit], as [a, b): positions a…b−1 match their
 * copy one unit on, so the tract spans [a, b + unit). b = anchor when the anchor itself does not.
 */
function runAround(reference: string, anchor: number, unit: number): [number, number] {
  let a = anchor;
  while (a > 0 && a - 1 + unit < reference.length && reference.charCodeAt(a - 1) === reference.charCodeAt(a - 1 + unit)) a--;
  let b = anchor;
  while (b + unit < reference.length && reference.charCodeAt(b) === reference.charCodeAt(b + unit)) b++;
  return [a, b];
}

/** Longest tract overlapping [start − 1, end + 1) (the base before an indel counts as touching it). */
export function repeatTractAt(reference: string, start: number, end: number): RepeatTract {
  let best: RepeatTract = { start, end: Math.max(end, start + 1), unit: reference[start] ?? 'N' };
  let bestLength = 1;
  const lo = Math.max(0, start - 1);
  const hi = Math.min(reference.length, Math.max(end, start + 1) + 1);
  for (let unit = 1; unit <= MAX_UNIT; unit++) {
    for (let anchor = lo; anchor < hi; anchor++) {
      const [a, b] = runAround(reference, anchor, unit);
      const length = b + unit - a;
      if (length >= 2 * unit && length > bestLength && (unit === 1 || length >= unit * 2)) {
        best = { start: a, end: b + unit, unit: reference.slice(a, a + unit) };
        bestLength = length;
      }
      if (b > anchor) anchor = b; // skip positions already inside this run
    }
  }
  return best;
}

/** Homopolymer run length at each position of a sequence (for per-base gap-open probabilities). */
export function homopolymerLengths(sequence: string): Uint16Array {
  const lengths = new Uint16Array(sequence.length);
  let i = 0;
  while (i < sequence.length) {
    let j = i + 1;
    while (j < sequence.length && sequence.charCodeAt(j) === sequence.charCodeAt(i)) j++;
    lengths.fill(Math.min(j - i, 65535), i, j);
    i = j;
  }
  return lengths;
}

/** Every tract (unit 1–MAX_UNIT, at least two copies and `minLength` bp) that covers `pos`. */
function tractsCovering(reference: string, pos: number, minLength: number): RepeatTract[] {
  const out: RepeatTract[] = [];
  for (let unit = 1; unit <= MAX_UNIT; unit++) {
    for (let anchor = Math.max(0, pos - unit); anchor <= pos; anchor++) {
      if (anchor + unit >= reference.length || reference.charCodeAt(anchor) !== reference.charCodeAt(anchor + unit)) continue;
      const [a, b] = runAround(reference, anchor, unit);
      const tract = { start: a, end: b + unit, unit: reference.slice(a, a + unit) };
      if (tract.start <= pos && pos < tract.end && tract.end - tract.start >= Math.max(minLength, 2 * unit)) out.push(tract);
      anchor = b;
    }
  }
  return out;
}

/**
 * The stretch of repeats around [start, end): every tract of at least `minLength` bp covering
 * it or the base on either side, then those covering the bases beyond that, out to `maxReach`
 * bp on either side of the locus. A substitution at a tract's edge can make a neighbouring unit
 * whole (ATAC → ATAA after an (AAAT)n run): a read's bases over a short stretch of such
 * sequence fit the reference shifted by one unit as well as the alt in place, so a read tells
 * the alleles apart only where it also covers unique sequence beyond the repeats.
 */
export function repeatSpanAround(reference: string, start: number, end: number, minLength: number, maxReach: number): { start: number; end: number } {
  const lo = Math.max(0, start - maxReach);
  const hi = Math.min(reference.length, end + maxReach);
  let s = start;
  let e = end;
  let probes: number[] = [];
  for (let p = start - 1; p <= end; p++) probes.push(p);
  while (probes.length > 0) {
    const before = [s, e];
    for (const p of probes) {
      if (p < 0 || p >= reference.length) continue;
      for (const tract of tractsCovering(reference, p, minLength)) {
        s = Math.max(lo, Math.min(s, tract.start));
        e = Math.min(hi, Math.max(e, tract.end));
      }
    }
    probes = [];
    if (s < before[0]!) probes.push(s - 1);
    if (e > before[1]!) probes.push(e);
  }
  return { start: s, end: e };
}

/**
 * Every maximal tract (unit 1–MAX_UNIT, at least two copies) starting in [from, to), each under
 * the shortest unit that has it (a run of A is not also an AA tract), sorted by start.
 */
export function repeatTractsIn(reference: string, from: number, to: number): RepeatTract[] {
  const found: RepeatTract[] = [];
  for (let unit = 1; unit <= MAX_UNIT; unit++) {
    let i = from;
    // A tract that starts before `from` is not reported: step back to its start so that its remainder is not either.
    while (i > 0 && i - 1 + unit < reference.length && reference.charCodeAt(i - 1) === reference.charCodeAt(i - 1 + unit)) i--;
    while (i < to && i + unit < reference.length) {
      const [a, b] = runAround(reference, i, unit);
      const start = Math.min(a, i);
      const end = b + unit;
      if (b > i && start >= from && end - start >= 2 * unit) {
        const unitSequence = reference.slice(start, start + unit);
        const composite = [1, 2, 3].some((u) => u < unit && unit % u === 0 && unitSequence === unitSequence.slice(0, u).repeat(unit / u));
        if (!composite && !unitSequence.includes('N')) found.push({ start, end, unit: unitSequence });
      }
      i = b > i ? b : i + 1;
    }
  }
  return found.sort((x, y) => x.start - y.start || y.end - x.end);
}

/**
 * The tract whose unit count an indel changes: the run, under the indel's shortest period, that
 * holds the bases it deletes or the copy it inserts, even a single copy (the table of
 * `repeatIndelPrior` decides from what length a tract counts); null for a substitution, a
 * complex change, or an insertion that does not copy the sequence after it. The indel is taken
 * left-aligned, as candidates and normalised VCF records are.
 */
export function indelRepeatTract(reference: string, indel: { pos: number; ref: string; alt: string }): RepeatTract | null {
  const { pos, ref, alt } = indel;
  if (ref.length === alt.length || Math.min(ref.length, alt.length) !== 1 || ref[0] !== alt[0]) return null;
  const changed = ref.length > alt.length ? ref.slice(1) : alt.slice(1);
  let period = 0;
  for (let u = 1; u <= Math.min(MAX_UNIT, changed.length); u++) {
    if (changed.length % u === 0 && changed === changed.slice(0, u).repeat(changed.length / u)) {
      period = u;
      break;
    }
  }
  if (period === 0) return null;
  const at = pos + 1;
  if (reference.slice(at, at + period) !== changed.slice(0, period)) return null;
  const [a, b] = runAround(reference, at, period);
  return { start: Math.min(a, at), end: Math.max(b, at) + period, unit: reference.slice(at, at + period) };
}
