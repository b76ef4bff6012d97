/** Sigma string values → the string forms targets need: shapes, LIKE patterns, regexes. */
import { SigmaString, WILDCARD_MULTI, WILDCARD_SINGLE, isPlaceholder } from '../sigma/sigma-string.js';
import { ConversionError } from './ir.js';

export type Shape =
  | { kind: 'exact' | 'startswith' | 'endswith' | 'contains'; text: string }
  /** Wildcards inside the value, or `?`: only a pattern or regex can express it. */
  | { kind: 'pattern' };

/** Classify a value: `x`, `x*`, `*x`, `*x*` with x free of wildcards, or a general pattern. */
export function shapeOf(s: SigmaString): Shape {
  noPlaceholders(s);
  const p = s.parts;
  const lit = (i: number) => (typeof p[i] === 'string' ? (p[i] as string) : undefined);
  if (p.length === 0) return { kind: 'exact', text: '' };
  if (p.length === 1 && lit(0) !== undefined) return { kind: 'exact', text: lit(0)! };
  if (p.length === 2 && p[1] === WILDCARD_MULTI && lit(0) !== undefined) return { kind: 'startswith', text: lit(0)! };
  if (p.length === 2 && p[0] === WILDCARD_MULTI && lit(1) !== undefined) return { kind: 'endswith', text: lit(1)! };
  if (p.length === 3 && p[0] === WILDCARD_MULTI && p[2] === WILDCARD_MULTI && lit(1) !== undefined) return { kind: 'contains', text: lit(1)! };
  return { kind: 'pattern' };
}

export function noPlaceholders(s: SigmaString): void {
  const ph = s.parts.find(isPlaceholder);
  if (ph) throw new ConversionError(`unresolved placeholder %${ph.placeholder}% (no placeholder values are configured)`);
}

/** SQL LIKE pattern: `*` → `%`, `?` → `_`, literal `%`, `_` and the escape character escaped. */
export function likePattern(s: SigmaString, escape = '\\'): string {
  noPlaceholders(s);
  return s.parts
    .map((p) => {
      if (p === WILDCARD_MULTI) return '%';
      if (p === WILDCARD_SINGLE) return '_';
      return [...(p as string)].map((c) => (c === '%' || c === '_' || c === escape ? escape + c : c)).join('');
    })
    .join('');
}

/** Glob pattern (`*`, `?`) with literal `*`, `?` and `\` escaped by a backslash (Splunk-free targets: EQL, KQL wildcards). */
export function globPattern(s: SigmaString): string {
  noPlaceholders(s);
  return s.parts
    .map((p) => {
      if (p === WILDCARD_MULTI) return '*';
      if (p === WILDCARD_SINGLE) return '?';
      return (p as string).replace(/[\\*?]/g, (c) => '\\' + c);
    })
    .join('');
}

/** Anchored regular expression for the whole value (`^…$`), case handled by the caller. */
export function anchoredRegex(s: SigmaString): string {
  noPlaceholders(s);
  return '^' + s.toRegex() + '$';
}

/** Lower-case a Sigma string's literal text (wildcards untouched). */
export function lowerString(s: SigmaString): SigmaString {
  return s.mapText((t) => t.toLowerCase());
}

/** Regex flags of a Sigma `re` test as an inline group prefix, e.g. `(?is)`. */
export function inlineFlags(flags: readonly string[]): string {
  const f = flags.map((x) => (x === 'IGNORECASE' ? 'i' : x === 'MULTILINE' ? 'm' : 's')).join('');
  return f ? `(?${f})` : '';
}
