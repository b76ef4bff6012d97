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
