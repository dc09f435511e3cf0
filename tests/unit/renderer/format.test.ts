// Formatting is what the clinician reads off the screen: these pin the exact strings, including
// the degenerate inputs (NaN, null ETA, negative) that must show a dash rather than 'NaN'.
import { describe, expect, it } from 'vitest';
import {
  abbreviateHash,
  baseName,
  formatBytes,
  formatCompact,
  formatDateTime,
  formatDuration,
  formatInteger,
  formatPercent,
  formatPhred,
  formatRate,
  formatSmallPercent,
} from '../../../renderer/src/format/numbers.js';
import { errorLocation } from '../../../renderer/src/format/labels.js';

describe('formatDuration', () => {
  it('writes durations the way the progress panel shows them', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45.4)).toBe('45 s');
    expect(formatDuration(80)).toBe('1 min 20 s');
    expect(formatDuration(120)).toBe('2 min');
    expect(formatDuration(3600 + 5 * 60 + 9)).toBe('1 h 05 min');
    expect(formatDuration(86_400 * 3 + 3600 * 4)).toBe('3 d 4 h');
  });

  it('shows a dash when no estimate exists', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('formatBytes', () => {
  it('uses decimal units like the file manager', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.00 kB');
    expect(formatBytes(1_234_567)).toBe('1.23 MB');
    expect(formatBytes(45_600_000_000)).toBe('45.6 GB');
    expect(formatBytes(812_000_000)).toBe('812 MB');
  });

  it('rejects impossible sizes', () => {
    expect(formatBytes(-5)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('numbers', () => {
  it('formats counts, percentages and qualities', () => {
    expect(formatInteger(1_234_567)).toBe('1,234,567');
    expect(formatPercent(0.93421)).toBe('93.4%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(Number.NaN)).toBe('—');
    expect(formatPhred(35.237)).toBe('Q35.2');
    expect(formatRate(52_300)).toBe('52,300 reads/s');
    expect(formatRate(1_250_000)).toBe('1.25M reads/s');
  });

  it('keeps significant digits of tiny N rates', () => {
    expect(formatSmallPercent(0)).toBe('0%');
    expect(formatSmallPercent(0.000012)).toBe('0.0012%');
    expect(formatSmallPercent(0.0123)).toBe('1.23%');
  });

  it('compacts axis ticks', () => {
    expect(formatCompact(0)).toBe('0');
    expect(formatCompact(1500)).toBe('1,500');
    expect(formatCompact(15_000)).toBe('15k');
    expect(formatCompact(2_500_000)).toBe('2.5M');
    expect(formatCompact(0.25)).toBe('0.25');
  });
});

describe('identity and time', () => {
  it('abbreviates digests but leaves short strings alone', () => {
    const sha = 'a'.repeat(8) + 'b'.repeat(50) + 'c'.repeat(6);
    expect(abbreviateHash(sha)).toBe('aaaaaaaa…cccccc');
    expect(abbreviateHash('abc')).toBe('abc');
  });

  it('takes the last path component for either separator', () => {
    expect(baseName('/data/run1/sample_R1.fastq.gz')).toBe('sample_R1.fastq.gz');
    expect(baseName('C:\\reads\\x.fq')).toBe('x.fq');
    expect(baseName('/data/dir/')).toBe('dir');
  });

  it('writes local time as YYYY-MM-DD HH:MM', () => {
    const iso = new Date(2024, 0, 5, 9, 7, 30).toISOString();
    expect(formatDateTime(iso)).toBe('2024-01-05 09:07');
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it('locates an input error by file, record and line', () => {
    expect(errorLocation({ code: 'truncated-record', message: 'x', file: '/uploads/u1/a.fq', record: 1204, line: 4816 })).toBe(
      'a.fq · record 1,204 · line 4,816',
    );
    expect(errorLocation({ code: 'internal', message: 'x' })).toBe('');
  });
});
