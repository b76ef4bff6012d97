/**
 * Value modifiers: turn one rule value plus its `|modifier` chain into the value tests a
 * detection item ORs together (several when a modifier expands, e.g. windash, base64offset).
 */
import { parseCidr, type Cidr } from './cidr.js';
import { compileRegex } from './regex.js';
import { SigmaString } from './sigma-string.js';

export type RegexFlag = 'IGNORECASE' | 'MULTILINE' | 'DOTALL';
export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

export type ValueTest =
  | { kind: 'string'; value: SigmaString; cased: boolean }
  | { kind: 'regex'; pattern: string; flags: RegexFlag[] }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'cidr'; cidr: Cidr }
  | { kind: 'compare'; op: CompareOp; value: number }
  | { kind: 'exists'; value: boolean }
  | { kind: 'fieldref'; field: string; startsWith: boolean; endsWith: boolean; cased: boolean };

/** One rule value after its modifiers: OR-linked alternatives, plus item-level flags. */
export interface ModifiedValue {
  alternatives: ValueTest[];
  /** `all`: the values of the item are AND-linked instead of OR-linked. */
  all: boolean;
  /** `neq`: the whole detection item is negated. */
  negated: boolean;
}

export class ModifierError extends Error {}

export const KNOWN_MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'windash', 'base64', 'base64offset',
  'utf16le', 'utf16be', 'wide', 'utf16', 'cidr', 'exists', 'fieldref', 'gt', 'gte', 'lt', 'lte',
  'expand', 'cased', 'neq',
]);

/** The 5 dash-like characters windash substitutes, in pySigma's order. */
const WINDASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'];
const WINDASH_MAX = 4096;

/** Intermediate value while a modifier chain is applied. */
type State =
  | { kind: 'strings'; values: SigmaString[]; encoded: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'regex'; pattern: string; flags: RegexFlag[] }
  | { kind: 'cidr'; cidr: Cidr }
  | { kind: 'compare'; op: CompareOp; value: number }
  | { kind: 'exists'; value: boolean }
  | { kind: 'fieldref'; field: string; startsWith: boolean; endsWith: boolean };

const STATE_NAMES: Record<State['kind'], string> = {
  strings: 'string', number: 'number', bool: 'boolean', null: 'null', regex: 'regular expression',
  cidr: 'CIDR', compare: 'comparison', exists: 'exists', fieldref: 'field reference',
};

/**
 * Apply `modifiers` (in rule order) to `raw`, the YAML value. `field` is null for keywords.
 * Throws ModifierError with a specific message on unknown modifiers and bad combinations.
 */
export function applyModifiers(field: string | null, modifiers: readonly string[], raw: unknown): ModifiedValue {
  for (const m of modifiers) if (!KNOWN_MODIFIERS.has(m)) throw new ModifierError(`unknown modifier '${m}'`);
  const has = (m: string) => modifiers.includes(m);
  // Structural checks come before value checks: a misplaced modifier is the clearer error.
  const flagOnly = new Set(['all', 'cased', 'neq', 'expand', 'i', 'm', 's']);
  const firstTransform = modifiers.findIndex((m) => !flagOnly.has(m));
  for (const m of ['re', 'cidr', 'fieldref', 'gt', 'gte', 'lt', 'lte'])
    if (modifiers.indexOf(m) > firstTransform && firstTransform >= 0)
      throw new ModifierError(`Modifier '${m}' is only applicable to unmodified values`);
  const cased = has('cased');
  const expand = has('expand');
  let state = initialState(raw, expand);
  const combo = (m: string) =>
    new ModifierError(`bad modifier combination: '${m}' cannot be applied to a ${STATE_NAMES[state.kind]} value`);

  for (const m of modifiers) {
    switch (m) {
      case 'all': case 'cased': case 'neq': case 'expand':
        continue;
      case 'contains': case 'startswith': case 'endswith': {
        const lead = m !== 'startswith';
        const trail = m !== 'endswith';
        if (state.kind === 'number') state = { kind: 'strings', values: [SigmaString.parse(String(state.value))], encoded: false };
        if (state.kind === 'strings') {
          state.values = state.values.map((v) => {
            let out = v;
            if (lead) out = out.withLeadingMulti();
            if (trail) out = out.withTrailingMulti();
            return out;
          });
        } else if (state.kind === 'regex') {
          // pySigma: a regex is made unanchored on the side(s) the modifier opens.
          let p = state.pattern;
          if (lead && !p.startsWith('^') && !p.startsWith('.*')) p = '.*' + p;
          if (trail && !p.endsWith('$') && !p.endsWith('.*')) p = p + '.*';
          state = { ...state, pattern: p };
        } else if (state.kind === 'fieldref') {
          state = { ...state, startsWith: state.startsWith || trail, endsWith: state.endsWith || lead };
        } else throw combo(m);
        break;
      }
      case 're': {
        if (typeof raw !== 'string') throw new ModifierError(`Modifier 're' expects a string, got ${typeName(raw)}`);
        if (expand) throw combo(m);
        state = { kind: 'regex', pattern: raw, flags: [] };
        break;
      }
      case 'i': case 'm': case 's': {
        if (state.kind !== 'regex') throw new ModifierError(`bad modifier combination: '${m}' requires 're'`);
        const flag: RegexFlag = m === 'i' ? 'IGNORECASE' : m === 'm' ? 'MULTILINE' : 'DOTALL';
        if (!state.flags.includes(flag)) state = { ...state, flags: [...state.flags, flag] };
        break;
      }
      case 'base64': case 'base64offset': {
        if (state.kind !== 'strings') throw combo(m);
        const st = state;
        if (st.values.some((v) => !v.isPlain))
          throw new ModifierError(`${m === 'base64' ? 'Base64' : 'Base64 offset'} encoding of strings with wildcards is not allowed`);
        const values = st.values.flatMap((v) => {
          const bytes = toBytes(v.plain, st.encoded);
          return (m === 'base64' ? [base64(bytes)] : base64Offsets(bytes)).map((s) => new SigmaString([s]));
        });
        state = { kind: 'strings', values, encoded: false };
        break;
      }
      case 'wide': case 'utf16le': case 'utf16be': case 'utf16': {
        if (state.kind !== 'strings') throw combo(m);
        if (state.values.some((v) => v.parts.some((p) => typeof p === 'string' && /[^\x00-\x7f]/.test(p))))
          throw new ModifierError(`Modifier '${m}' is only applicable to plain ascii strings`);
        const be = m === 'utf16be';
        let values = state.values.map((v) => v.mapText((t) => [...t].map((c) => (be ? '\0' + c : c + '\0')).join('')));
        if (m === 'utf16') values = values.map((v) => new SigmaString(['\uFEFF', ...v.parts]));
        state = { kind: 'strings', values, encoded: true };
        break;
      }
      case 'windash': {
        if (state.kind !== 'strings') throw combo(m);
        state = { ...state, values: state.values.flatMap(windash) };
        break;
      }
      case 'cidr': {
        if (typeof raw !== 'string') throw combo(m);
        try {
          state = { kind: 'cidr', cidr: parseCidr(raw) };
        } catch (e) {
          throw new ModifierError((e as Error).message);
        }
        break;
      }
      case 'exists': {
        if (field === null) throw new ModifierError("Modifier 'exists' must be applied to field");
        if (modifiers.some((x) => x !== 'exists' && x !== 'neq'))
          throw new ModifierError("bad modifier combination: 'exists' cannot be combined with other modifiers");
        if (typeof raw !== 'boolean') throw new ModifierError(`Modifier 'exists' expects true or false, got ${typeName(raw)}`);
        state = { kind: 'exists', value: raw };
        break;
      }
      case 'fieldref': {
        if (typeof raw !== 'string') throw combo(m);
        if (/(^|[^\\])[*?]/.test(raw)) throw new ModifierError('Field reference must not contain wildcards');
        if (field === null) throw new ModifierError("Modifier 'fieldref' must be applied to field");
        state = { kind: 'fieldref', field: raw, startsWith: false, endsWith: false };
        break;
      }
      case 'gt': case 'gte': case 'lt': case 'lte': {
        if (typeof raw !== 'number') throw new ModifierError(`Modifier '${m}' expects number, got ${typeName(raw)} ${JSON.stringify(raw)}`);
        state = { kind: 'compare', op: m, value: raw };
        break;
      }
    }
  }
  if (state.kind === 'regex') {
    try {
      compileRegex(state.pattern, state.flags);
    } catch (e) {
      throw new ModifierError((e as Error).message);
    }
  }
  return { alternatives: toTests(state, cased), all: has('all'), negated: has('neq') };
}

function initialState(raw: unknown, expand: boolean): State {
  if (typeof raw === 'string') return { kind: 'strings', values: [SigmaString.parse(raw, expand)], encoded: false };
  if (typeof raw === 'number') return { kind: 'number', value: raw };
  if (typeof raw === 'boolean') return { kind: 'bool', value: raw };
  if (raw === null) return { kind: 'null' };
  throw new ModifierError(`unsupported value type ${typeName(raw)}: expected a string, number, boolean or null`);
}

function toTests(state: State, cased: boolean): ValueTest[] {
  switch (state.kind) {
    case 'strings':
      return state.values.map((value) => ({ kind: 'string', value, cased }));
    case 'fieldref':
      return [{ ...state, cased }];
    default:
      return [state];
  }
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'mapping' : typeof v;
}

/**
 * Bytes to encode. Strings from wide/utf16 modifiers already hold one byte per char
 * (the utf16 BOM U+FEFF stands for FF FE); other strings are UTF-8.
 */
function toBytes(text: string, encoded: boolean): Buffer {
  if (!encoded) return Buffer.from(text, 'utf8');
  return Buffer.from([...text].flatMap((c) => (c === '\uFEFF' ? [0xff, 0xfe] : [c.charCodeAt(0) & 0xff])));
}

function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

/**
 * The 3 encodings of a value at byte offsets 0..2 within a base64 stream, with the
 * characters that depend on neighbouring bytes cut off (pySigma's base64offset).
 */
function base64Offsets(bytes: Buffer): string[] {
  const start = [0, 2, 3];
  const end = [0, 3, 2];
  return [0, 1, 2].map((i) => {
    const enc = base64(Buffer.concat([Buffer.alloc(i, 0x20), bytes]));
    const cut = end[(bytes.length + i) % 3]!;
    return enc.slice(start[i], enc.length - cut);
  });
}

/** Expand every dash or slash at a word start (`\B[-/]\b`) to the 5 variants (cartesian product). */
function windash(value: SigmaString): SigmaString[] {
  let acc: SigmaString['parts'][number][][] = [[]];
  for (const p of value.parts) {
    if (typeof p !== 'string') {
      acc = acc.map((a) => [...a, p]);
      continue;
    }
    const pieces = p.split(/\B[-/]\b/);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) acc = acc.flatMap((a) => WINDASH_CHARS.map((d) => [...a, d]));
      const piece = pieces[i]!;
      acc = acc.map((a) => [...a, piece]);
      if (acc.length > WINDASH_MAX) throw new ModifierError(`windash expansion of '${value.render()}' exceeds ${WINDASH_MAX} variants`);
    }
  }
  return acc.map((parts) => new SigmaString(parts));
}

