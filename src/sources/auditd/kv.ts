/**
 * The `key=value key=value` body of an audit record, tokenized without regexes (hot path: one
 * call per record line). Value forms, as the kernel, auditd and AUOMS write them:
 * - `"text"`: a string the kernel judged safe; no escapes exist inside, the next `"` ends it;
 * - `'k=v k=v'`: user-space records nest their own key/values in `msg='…'`; they are flattened
 *   into the same map (ausearch does the same);
 * - `{ k=v … }`: the enriched SADDR; kept as its text;
 * - anything else runs to the next space: numbers, `(null)`, and hex-encoded strings.
 * A token without `=` is ignored (auditd itself writes none inside a body).
 */

/** One value as written: `quoted` tells a literal string from a bare (possibly hex) token. */
export interface RawValue {
  text: string;
  quoted: boolean;
}

export type RawFields = Map<string, RawValue>;

/** Returns an error message when a quoted value is not closed (a truncated record). */
export function parseKeyValues(body: string, into: RawFields, start = 0, end = body.length): string | undefined {
  let i = start;
  while (i < end) {
    while (i < end && body.charCodeAt(i) === 32) i++;
    if (i >= end) break;
    const eq = body.indexOf('=', i);
    const space = body.indexOf(' ', i);
    if (eq < 0 || eq >= end || (space >= 0 && space < eq)) {
      // a bare word: skip it
      i = space < 0 || space >= end ? end : space + 1;
      continue;
    }
    const key = body.slice(i, eq);
    const first = body.charCodeAt(eq + 1);
    if (first === 34 /* " */) {
      const close = body.indexOf('"', eq + 2);
      if (close < 0 || close >= end) return `unterminated quoted value of ${key}`;
      into.set(key, { text: body.slice(eq + 2, close), quoted: true });
      i = close + 1;
    } else if (first === 39 /* ' */) {
      const close = body.indexOf("'", eq + 2);
      if (close < 0 || close >= end) return `unterminated quoted value of ${key}`;
      const nested = parseKeyValues(body, into, eq + 2, close);
      if (nested !== undefined) return nested;
      i = close + 1;
    } else if (first === 123 /* { */) {
      const close = body.indexOf('}', eq + 2);
      if (close < 0 || close >= end) return `unterminated braced value of ${key}`;
      into.set(key, { text: body.slice(eq + 2, close).trim(), quoted: true });
      i = close + 1;
    } else {
      const stop = space < 0 || space >= end ? end : space;
      into.set(key, { text: body.slice(eq + 1, stop), quoted: false });
      i = stop;
    }
  }
  return undefined;
}
