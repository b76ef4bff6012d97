/**
 * Timestamp parsing shared by the readers. Every result is epoch milliseconds, UTC.
 */

/** `yyyy-MM-dd HH:mm:ss[.fff…]` with no zone (QRadar DATEFORMAT, Sysmon UtcTime, OTRF TimeCreated). */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DIGITS = /^\d+$/;

/**
 * Parse a timestamp: a number (epoch ms), a string of digits (epoch ms), ISO 8601, or a zoneless
 * date-time. Zoneless strings are read as UTC, never local time: every source here writes UTC
 * (Sysmon UtcTime, QRadar exports, OTRF), and the result must not depend on the machine's TZ.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const fast = parseSysmonUtc(value);
  if (fast !== undefined) return fast;
  if (DIGITS.test(value)) return Number(value);
  const ms = Date.parse(ZONELESS.test(value) ? value.replace(' ', 'T') + 'Z' : value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The first key of `keys` that holds a parseable time. */
export function firstTime(record: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const ms = parseTime(record[key]);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

/**
 * Fast path for the most common form, Sysmon's `yyyy-MM-dd HH:mm:ss.fff` (one per event on the
 * hot path; a regex test plus Date.parse costs several times more). Anything else: undefined.
 */
function parseSysmonUtc(v: string): number | undefined {
  if (v.length !== 23 || v.charCodeAt(4) !== 45 || v.charCodeAt(10) !== 32 || v.charCodeAt(19) !== 46) return undefined;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  const ms = digits(v, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || ms < 0) return undefined;
  if (v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function digits(s: string, at: number, n: number): number {
  let out = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    out = out * 10 + d;
  }
  return out;
}
