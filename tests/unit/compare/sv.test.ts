/** SV matching: breakpoints within a distance, similar sizes, compatible types. */
import { describe, expect, it } from 'vitest';
import { compareSvCalls } from '../../../engine/compare/sv.js';
import type { SvCall } from '../../../engine/compare/sv.js';

const sv = (pos: number, length: number, type: SvCall['type']): SvCall => ({ chrom: '20', pos, end: type === 'INS' ? pos : pos + length, length, type, line: 0 });

describe('compareSvCalls', () => {
  it('matches imprecise breakpoints and counts DUP called as INS as found', () => {
    const report = compareSvCalls([sv(1000, 500, 'DEL'), sv(5000, 800, 'DUP'), sv(9000, 300, 'INV')], [sv(1040, 480, 'DEL'), sv(5010, 790, 'INS'), sv(20000, 100, 'DEL')]);
    expect(report.metrics.ALL).toMatchObject({ truth: 3, calls: 3, tp: 2, fp: 1, fn: 1 });
    expect(report.metrics['INS/DUP']).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(report.metrics.INV).toMatchObject({ fn: 1 });
  });

  it('rejects a call of very different size or too far away, and matches each call once', () => {
    const report = compareSvCalls([sv(1000, 500, 'DEL'), sv(1100, 500, 'DEL')], [sv(1000, 100, 'DEL'), sv(1050, 500, 'DEL'), sv(4000, 500, 'DEL')]);
    expect(report.metrics.DEL).toMatchObject({ tp: 1, fp: 2, fn: 1 });
  });
});
