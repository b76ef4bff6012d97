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

/** Compile, or throw an Error whose message says why re2js refuses the pattern. */
export function compileRegex(pattern: string, flags: readonly RegexFlag[]): RE2JS {
  try {
    return RE2JS.compile(pattern, flags.reduce((bits, f) => bits | FLAG_BITS[f], 0));
  } catch (e) {
    const why = (e as Error).message.replace(/\s+/g, ' ');
    throw new Error(`regular expression cannot be compiled by the linear-time engine (re2js): ${why}`);
  }
}
