/**
 * Timestamp parsing shared by the readers. Every result is epoch milliseconds, UTC.
 */

/** `yyyy-MM-dd HH:mm:ss[.fff…]` with no zone (QRadar DATEFORMAT, Sysmon UtcTime, OTRF TimeCreated). */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DIGITS = /^\d+$/;
/**
 * Windows PowerShell 5.1's `ConvertTo-Json` of a DateTime (`Get-WinEvent`'s TimeCreated):
 * `/Date(1700000000120)/`, epoch ms, with the local offset appended when the value had a kind.
 */
const DOTNET_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

/**
 * Parse a timestamp: a number (epoch ms), a string of digits (epoch ms), ISO 8601, a zoneless
 * date-time, or PowerShell 5.1's `/Date(ms)/`. Zoneless strings are read as UTC, never local time: every source here writes UTC
 * (Sysmon UtcTime, QRadar exports, OTRF), and the result must not depend on the machine's TZ.
 */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return validTime(value);
  if (typeof value !== 'string' || value === '') return undefined;
  const fast = parseFixedLayout(value);
  if (fast !== undefined) return fast;
  if (DIGITS.test(value)) return validTime(Number(value));
  const dotnet = value.charCodeAt(0) === 0x2f ? DOTNET_DATE.exec(value) : null;
  if (dotnet !== null) return validTime(Number(dotnet[1]));
  const ms = Date.parse(ZONELESS.test(value) ? value.replace(' ', 'T') + 'Z' : value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Largest time a Date holds (ECMA-262: ±100,000,000 days around the epoch). */
const MAX_TIME_MS = 8.64e15;

/**
 * Epoch milliseconds a Date can hold, else undefined: an event's time is printed with
 * `toISOString`, which throws past the range, and one record's absurd number must not stop a
 * scan (a time field of 99999999999999999999 did).
 */
export function validTime(ms: number): number | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : undefined;
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
 * Fast path for the two forms met once per event on the hot path (a regex test plus Date.parse
 * costs several times more): Sysmon's `yyyy-MM-dd HH:mm:ss.fff` and evtx_dump's / the native
 * EVTX reader's `yyyy-MM-ddTHH:mm:ss.ffffffZ` (fraction truncated to milliseconds, as Date.parse
 * does). Anything else, years before 100 (Date.UTC reads them as 19xx) and hour 24: undefined,
 * left to Date.parse.
 */
function parseFixedLayout(v: string): number | undefined {
  const micros = v.length === 27;
  if (!micros && v.length !== 23) return undefined;
  if (micros ? v.charCodeAt(10) !== 84 || v.charCodeAt(26) !== 90 : v.charCodeAt(10) !== 32) return undefined;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 46) return undefined;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  const fraction = digits(v, 20, micros ? 6 : 3);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || fraction < 0) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, micros ? Math.floor(fraction / 1000) : fraction);
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
