/**
 * Number, size, time and hash formatting for display.
 *
 * One fixed locale ('en-US': comma thousands, point decimals) rather than the system's, so the
 * same run reads the same on every workstation and in exported screenshots, and a decimal
 * comma is never mistaken for a thousands separator in a table of counts.
 */

const LOCALE = 'en-US';
const DASH = '—';

const integerFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

export function formatInteger(value: number): string {
  return Number.isFinite(value) ? integerFormat.format(Math.round(value)) : DASH;
}

const decimalFormats = new Map<number, Intl.NumberFormat>();

export function formatDecimal(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return DASH;
  let format = decimalFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    decimalFormats.set(digits, format);
  }
  return format.format(value);
}

/** A 0..1 fraction as a percentage: 0.9342 → '93.4%'. */
export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return DASH;
  return `${formatDecimal(fraction * 100, digits)}%`;
}

/** Small fractions (N rate) keep significant digits: 0.000012 → '0.0012%'. */
export function formatSmallPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return DASH;
  const percent = fraction * 100;
  if (percent === 0) return '0%';
  if (Math.abs(percent) >= 0.1) return `${formatDecimal(percent, 2)}%`;
  return `${Number(percent.toPrecision(2)).toString()}%`;
}

/** Mean Phred quality: 35.237 → 'Q35.2'. */
export function formatPhred(value: number): string {
  return Number.isFinite(value) ? `Q${formatDecimal(value, 1)}` : DASH;
}

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Decimal units (1 kB = 1000 B), as Linux and macOS file managers show them, so sizes match
 * what the user sees next to the file.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return DASH;
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${formatDecimal(value, digits)} ${SIZE_UNITS[unit]}`;
}

/** Axis ticks and compact counts: 1234 → '1.2k', 3_000_000 → '3M'. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  const scaled = (divisor: number, suffix: string): string => {
    const v = value / divisor;
    const text = Math.abs(v) >= 100 ? Math.round(v).toString() : Number(v.toPrecision(3)).toString();
    return `${text}${suffix}`;
  };
  if (abs >= 1e12) return scaled(1e12, 'T');
  if (abs >= 1e9) return scaled(1e9, 'G');
  if (abs >= 1e6) return scaled(1e6, 'M');
  if (abs >= 1e4) return scaled(1e3, 'k');
  if (Number.isInteger(value)) return integerFormat.format(value);
  return Number(value.toPrecision(3)).toString();
}

/**
 * Durations for people: '45 s', '1 min 20 s', '2 h 05 min', '3 d 4 h'. Whole seconds; a
 * partial unit beyond the two largest is not worth the reader's attention.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return DASH;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return `${hours} h ${minutes.toString().padStart(2, '0')} min`;
  return secs > 0 ? `${minutes} min ${secs} s` : `${minutes} min`;
}

/** Reads per second: '52,300 reads/s'; millions compact: '1.25M reads/s'. */
export function formatRate(readsPerSecond: number): string {
  if (!Number.isFinite(readsPerSecond) || readsPerSecond < 0) return DASH;
  const text = readsPerSecond >= 1e6 ? formatCompact(readsPerSecond) : formatInteger(readsPerSecond);
  return `${text} reads/s`;
}

const pad2 = (n: number): string => n.toString().padStart(2, '0');

/**
 * Local date and time as 'YYYY-MM-DD HH:MM': unambiguous across countries (no 03/04 puzzles)
 * and sorts as text. Invalid input is shown as given rather than as 'Invalid Date'.
 */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** 'a1b2c3d4…e5f6a7': enough to tell digests apart at a glance; the full value stays available. */
export function abbreviateHash(hash: string, head = 8, tail = 6): string {
  if (hash.length <= head + tail + 1) return hash;
  return `${hash.slice(0, head)}…${hash.slice(-tail)}`;
}

/** Last path component, for either separator (paths may come from Windows hosts). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const part = parts[i];
    if (part) return part;
  }
  return path;
}
