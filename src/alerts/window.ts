import { DURATION_EXAMPLES, parseDuration } from '../duration.js';

/**
 * The time window of a scan: `time > now - since`, exactly as the seed AQL's
 * `starttime > DATEADD('hours', -24, NOW())`. There is no upper bound (events after `now`
 * pass, as in the AQL). An event without a time never passes a window (NULL comparison).
 */
export interface TimeWindow {
  /** Exclusive lower bound, epoch ms. */
  after: number;
}

/** Parses `--since`: a duration back from `now` (`24h`, `30m`, `7d`, `1h30m`) or a timestamp. */
export function parseSince(since: string, now: number): TimeWindow | string {
  const duration = parseDuration(since);
  if (duration !== undefined) return { after: now - duration };
  const t = parseTimestamp(since);
  if (t === undefined) return `--since: '${since}' is neither a duration (${DURATION_EXAMPLES}) nor a timestamp (2026-11-27T12:00:00Z)`;
  return { after: t };
}

/** ISO 8601 timestamps; without a zone they are UTC (forensic data is compared in UTC). */
export function parseTimestamp(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10;
  const iso = text.replace(' ', 'T') + (hasZone ? '' : text.length > 10 ? 'Z' : 'T00:00:00Z');
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
