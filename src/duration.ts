/**
 * The one duration grammar of every command and rule: `--since 24h`, `--since 1h30m`, a
 * correlation's `timespan: 5m`. A number and a unit — s, m, h, d or w — repeated.
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** What `parseDuration` accepts, for messages. */
export const DURATION_EXAMPLES = '90s, 30m, 24h, 7d, 2w, 1h30m';

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!/^(?:\d+[smhdw])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

const UNIT_NAMES: Record<string, DurationUnit> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days' };

/**
 * A duration in one unit, as query languages take it: the unit written when it is one of s, m,
 * h, d (`24h` stays 24 hours), else the largest unit that expresses it exactly (`1w` is 7 days,
 * `1h30m` 90 minutes). `text` must be a duration (parseDuration).
 */
export function inOneUnit(text: string): { amount: number; unit: DurationUnit; short: string } {
  const single = /^(\d+)([smhd])$/.exec(text);
  if (single) return { amount: Number(single[1]), unit: UNIT_NAMES[single[2]!]!, short: text };
  const ms = parseDuration(text)!;
  for (const [unit, short, size] of [['days', 'd', 86_400_000], ['hours', 'h', 3_600_000], ['minutes', 'm', 60_000]] as const) {
    if (ms % size === 0) return { amount: ms / size, unit, short: `${ms / size}${short}` };
  }
  const seconds = Math.round(ms / 1000);
  return { amount: seconds, unit: 'seconds', short: `${seconds}s` };
}
