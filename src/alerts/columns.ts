import type { FieldValue, NormalizedEvent } from '../events/event.js';

/**
 * A pack's output columns (the SELECT list of the query it reproduces), compiled once.
 * Spec strings: `time:<pattern>`, `host`, `user`, `label`, `field:<Name>`.
 */
export type ColumnGetter = (event: NormalizedEvent, label: string | undefined) => string | null;

export interface Column {
  name: string;
  /** The spec it was compiled from (worker threads compile it again: functions do not cross threads). */
  spec: string;
  get: ColumnGetter;
}

export function compileColumn(name: string, spec: string): Column | string {
  if (spec === 'host') return { name, spec, get: (e) => e.host ?? null };
  if (spec === 'user') return { name, spec, get: (e) => e.user ?? null };
  if (spec === 'label') return { name, spec, get: (_e, label) => (label ? label : null) };
  if (spec.startsWith('field:')) {
    const field = spec.slice('field:'.length);
    if (!field) return 'field: needs a field name';
    return { name, spec, get: (e) => scalarText(e.fields[field]) };
  }
  if (spec.startsWith('time:')) {
    const format = compileTimeFormat(spec.slice('time:'.length));
    if (typeof format === 'string') return format;
    return { name, spec, get: (e) => (e.time === undefined ? null : format(e.time)) };
  }
  return `unknown column spec '${spec}' (expected time:<pattern>, host, user, label or field:<Name>)`;
}

/** SQL-like text of a field: NULL (absent or null) stays null, arrays/objects as JSON. */
function scalarText(value: FieldValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const TIME_TOKENS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, '0'),
  MM: (d) => pad2(d.getUTCMonth() + 1),
  dd: (d) => pad2(d.getUTCDate()),
  HH: (d) => pad2(d.getUTCHours()),
  mm: (d) => pad2(d.getUTCMinutes()),
  ss: (d) => pad2(d.getUTCSeconds()),
  SSS: (d) => String(d.getUTCMilliseconds()).padStart(3, '0'),
};

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * The subset of Java SimpleDateFormat patterns QRadar's DATEFORMAT uses, always rendered in UTC
 * (QRadar renders in the console's time zone; supplywatch fixes UTC so output is reproducible).
 */
export function compileTimeFormat(pattern: string): ((epochMs: number) => string) | string {
  const parts: Array<string | ((d: Date) => string)> = [];
  let i = 0;
  while (i < pattern.length) {
    const token = ['yyyy', 'SSS', 'MM', 'dd', 'HH', 'mm', 'ss'].find((t) => pattern.startsWith(t, i));
    if (token) {
      parts.push(TIME_TOKENS[token]!);
      i += token.length;
    } else if (/[A-Za-z]/.test(pattern[i]!)) {
      return `unsupported time pattern letter '${pattern[i]}' in '${pattern}' (supported: yyyy MM dd HH mm ss SSS)`;
    } else {
      parts.push(pattern[i]!);
      i += 1;
    }
  }
  return (epochMs) => {
    const d = new Date(epochMs);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    return out;
  };
}
