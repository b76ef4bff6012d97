/**
 * User regular expressions (`re` modifier) run on re2js, a linear-time engine: rule text
 * never reaches V8's backtracking RegExp, so `(a+)+$` cannot stall the matcher.
 */
import { RE2JS } from 're2js';
import type { RegexFlag } from './modifiers.js';

const FLAG_BITS: Record<RegexFlag, number> = {
  IGNORECASE: RE2JS.CASE_INSENSITIVE,
  MULTILINE: RE2JS.MULTILINE,
  DOTALL: RE2JS.DOTALL,
};

/**
 * Patterns compiled in this thread: a rule's detection is parsed (which compiles each pattern to
 * check it) and then compiled (which compiles it again to match), and with the rule cache both
 * happen at the rule's first test (docs/performance.md#rule-cache). A compiled pattern holds no
 * state between matches.
 */
const compiled = new Map<string, RE2JS>();

/** Compile, or throw an Error whose message says why re2js refuses the pattern. */
export function compileRegex(pattern: string, flags: readonly RegexFlag[]): RE2JS {
  const bits = flags.reduce((b, f) => b | FLAG_BITS[f], 0);
  const key = `${bits}:${pattern}`;
  const known = compiled.get(key);
  if (known) return known;
  try {
    const re = RE2JS.compile(pattern, bits);
    compiled.set(key, re);
    return re;
  } catch (e) {
    const why = (e as Error).message.replace(/\s+/g, ' ');
    throw new Error(`regular expression cannot be compiled by the linear-time engine (re2js): ${why}`);
  }
}
