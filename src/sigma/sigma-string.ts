/**
 * Sigma string values (the pySigma `SigmaString` model): a sequence of literal text,
 * `*` / `?` wildcards and `%name%` placeholders (only with the `expand` modifier).
 *
 * Escapes: `\*`, `\?` and `\\` are literal `*`, `?`, `\`; with `expand` also `\%`.
 * A backslash before any other character, or at the end, is a literal backslash.
 */

export const WILDCARD_MULTI = Object.freeze({ wildcard: 'multi' as const });
export const WILDCARD_SINGLE = Object.freeze({ wildcard: 'single' as const });
export interface Placeholder {
  readonly placeholder: string;
}
export type Part = string | typeof WILDCARD_MULTI | typeof WILDCARD_SINGLE | Placeholder;

export function isPlaceholder(p: Part): p is Placeholder {
  return typeof p === 'object' && 'placeholder' in p;
}

/** Characters escaped when a Sigma string is rendered as a regular expression. */
const REGEX_META = new Set('\\^$.|?*+()[]{}-#&~'.split(''));

export class SigmaString {
  readonly parts: readonly Part[];

  /** Parts are normalised: adjacent literal chunks merged, empty chunks dropped. */
  constructor(parts: readonly Part[]) {
    const out: Part[] = [];
    for (const p of parts) {
      if (typeof p === 'string') {
        if (p === '') continue;
        const last = out[out.length - 1];
        if (typeof last === 'string') out[out.length - 1] = last + p;
        else out.push(p);
      } else out.push(p);
    }
    this.parts = out;
  }

  static parse(text: string, placeholders = false): SigmaString {
    const parts: Part[] = [];
    let lit = '';
    const flush = () => {
      if (lit) parts.push(lit);
      lit = '';
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\\') {
        const n = text[i + 1];
        if (n === '*' || n === '?' || n === '\\' || (placeholders && n === '%')) {
          lit += n;
          i++;
        } else lit += c;
      } else if (c === '*') {
        flush();
        parts.push(WILDCARD_MULTI);
      } else if (c === '?') {
        flush();
        parts.push(WILDCARD_SINGLE);
      } else if (placeholders && c === '%') {
        const end = text.indexOf('%', i + 1);
        if (end > i + 1) {
          flush();
          parts.push({ placeholder: text.slice(i + 1, end) });
          i = end;
        } else lit += c;
      } else lit += c;
    }
    flush();
    return new SigmaString(parts);
  }

  get hasWildcards(): boolean {
    return this.parts.some((p) => p === WILDCARD_MULTI || p === WILDCARD_SINGLE);
  }

  get hasPlaceholders(): boolean {
    return this.parts.some(isPlaceholder);
  }

  /** True when the string is only literal text (no wildcards, no placeholders). */
  get isPlain(): boolean {
    return this.parts.every((p) => typeof p === 'string');
  }

  /** The literal text, for plain strings. */
  get plain(): string {
    return this.parts.filter((p): p is string => typeof p === 'string').join('');
  }

  withLeadingMulti(): SigmaString {
    return this.parts[0] === WILDCARD_MULTI ? this : new SigmaString([WILDCARD_MULTI, ...this.parts]);
  }

  withTrailingMulti(): SigmaString {
    return this.parts[this.parts.length - 1] === WILDCARD_MULTI ? this : new SigmaString([...this.parts, WILDCARD_MULTI]);
  }

  /** Transform every literal chunk (wildcards and placeholders stay as they are). */
  mapText(fn: (text: string) => string): SigmaString {
    return new SigmaString(this.parts.map((p) => (typeof p === 'string' ? fn(p) : p)));
  }

  /** Render back to Sigma wildcard syntax (escaping what would otherwise be special). */
  render(): string {
    let out = '';
    this.parts.forEach((p, idx) => {
      if (p === WILDCARD_MULTI) out += '*';
      else if (p === WILDCARD_SINGLE) out += '?';
      else if (typeof p !== 'string') out += `%${(p as Placeholder).placeholder}%`;
      else {
        for (let i = 0; i < p.length; i++) {
          const c = p[i]!;
          const next = i + 1 < p.length ? p[i + 1] : this.parts[idx + 1];
          if (c === '*' || c === '?') out += '\\' + c;
          else if (c === '\\' && (next === '*' || next === '?' || next === '\\' || next === WILDCARD_MULTI || next === WILDCARD_SINGLE))
            out += '\\\\';
          else out += c;
        }
      }
    });
    return out;
  }

  /** Regular expression equivalent (`*` → `.*`, `?` → `.`), for backends; not used for matching. */
  toRegex(extraEscape = ''): string {
    const extra = new Set(extraEscape.split(''));
    return this.parts
      .map((p) => {
        if (p === WILDCARD_MULTI) return '.*';
        if (p === WILDCARD_SINGLE) return '.';
        if (typeof p !== 'string') throw new Error(`placeholder %${(p as Placeholder).placeholder}% cannot be rendered as a regular expression`);
        return [...p].map((c) => (REGEX_META.has(c) || extra.has(c) ? '\\' + c : c)).join('');
      })
      .join('');
  }
}
