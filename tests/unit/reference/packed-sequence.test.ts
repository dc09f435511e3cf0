/**
 * The 2-bit store must give back every base exactly (case included when asked), across
 * byte boundaries, exception runs and mask runs, however the input was chunked.
 */
import { describe, expect, it } from 'vitest';
import { PackedSequenceBuilder } from '../../../engine/reference/packed-sequence.js';
import { seededRandom } from '../formats/helpers.js';

function randomSequence(seed: number, length: number): string {
  const random = seededRandom(seed);
  const letters = 'ACGTACGTACGTacgtNNnRYKMSWBDHVU';
  let s = '';
  while (s.length < length) {
    const letter = letters[Math.floor(random() * letters.length)]!;
    s += letter.repeat(1 + Math.floor(random() * (random() < 0.1 ? 50 : 3)));
  }
  return s.slice(0, length);
}

describe('PackedSequence', () => {
  it('round-trips any subrange, in any chunking, with and without case', () => {
    const sequence = randomSequence(1, 10_007);
    const bytes = Buffer.from(sequence, 'latin1');
    const random = seededRandom(2);
    for (const known of [true, false]) {
      const builder = new PackedSequenceBuilder(known ? bytes.length : undefined);
      for (let p = 0; p < bytes.length; ) {
        const n = Math.min(bytes.length - p, 1 + Math.floor(random() * 300));
        expect(builder.append(bytes, p, p + n)).toBe(-1);
        p += n;
      }
      const packed = builder.finish();
      expect(packed.length).toBe(sequence.length);
      expect(packed.fetch(0, sequence.length, { softMasked: true })).toBe(sequence);
      for (let i = 0; i < 200; i++) {
        const start = Math.floor(random() * sequence.length);
        const end = start + Math.floor(random() * (sequence.length - start));
        expect(packed.fetch(start, end)).toBe(sequence.slice(start, end).toUpperCase());
        expect(packed.fetch(start, end, { softMasked: true })).toBe(sequence.slice(start, end));
        const codes = Array.from(packed.codes(start, end));
        expect(codes).toEqual(Array.from(sequence.slice(start, end).toUpperCase(), (c) => 'ACGT'.indexOf(c) >= 0 ? 'ACGT'.indexOf(c) : 4));
      }
      const lowercase = [...sequence].map((c, i) => (c !== c.toUpperCase() ? i : -1)).filter((i) => i >= 0);
      const fromIntervals = packed.softMaskedIntervals(0, sequence.length).flatMap(([s, e]) => Array.from({ length: e - s }, (_, k) => s + k));
      expect(fromIntervals).toEqual(lowercase);
    }
  });

  it('reports the first byte that is not an IUPAC letter', () => {
    const builder = new PackedSequenceBuilder();
    expect(builder.append(Buffer.from('ACGTX'), 0, 5)).toBe(4);
    expect(builder.basesAppended).toBe(4);
  });

  it('holds a chromosome-sized sequence in a quarter of its length', () => {
    const length = 10_000_000;
    const bytes = Buffer.alloc(length, 'A');
    bytes.fill('n', 1_000_000, 2_000_000);
    const builder = new PackedSequenceBuilder(length);
    builder.append(bytes, 0, length);
    const packed = builder.finish();
    expect(packed.byteSize).toBeLessThan(length / 4 + 1000);
    expect(packed.exceptions.starts.length).toBe(1);
    expect(packed.fetch(999_998, 1_000_002)).toBe('AANN');
  });
});
