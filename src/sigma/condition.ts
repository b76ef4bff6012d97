/**
 * Sigma condition parser. Precedence: `not` > `and` > `or`; parentheses; quantified
 * selectors `1 of X`, `any of X`, `all of X` where X is a search identifier, a pattern
 * with `*` wildcards, or `them` (every identifier not starting with `_`).
 * Selectors are resolved against the rule's identifiers at parse time.
 */

export type CondNode =
  | { op: 'and' | 'or'; children: CondNode[] }
  | { op: 'not'; child: CondNode }
  | { op: 'ref'; name: string };

/** A condition problem at a character offset of the condition string. */
export class ConditionError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

interface Token {
  text: string;
  lower: string;
  at: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all', 'any']);

/**
 * Parentheses and `not`s nested deeper than this are refused: the parser (and the compiled
 * matcher after it) recurse once per level, and thousands of levels overflowed the stack, which
 * ended the whole load. Real conditions nest a few levels.
 */
export const MAX_CONDITION_DEPTH = 128;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:([()])|([^\s()]+))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    const t = m[1] ?? m[2];
    if (t === undefined) break;
    out.push({ text: t, lower: t.toLowerCase(), at: m.index + m[0].length - t.length });
  }
  return out;
}

export function parseCondition(text: string, identifiers: readonly string[]): CondNode {
  const pipe = text.indexOf('|');
  if (pipe >= 0)
    throw new ConditionError("aggregation expressions ('| count() ...') are not supported; use a correlation rule", pipe);
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const end = text.length;
  const fail = (what: string, tok = peek()): never => {
    throw new ConditionError(`condition syntax error: expected ${what}, got ${tok ? `'${tok.text}'` : 'end of condition'}`, tok ? tok.at : end);
  };

  const orExpr = (): CondNode => {
    const children = [andExpr()];
    while (peek()?.lower === 'or') {
      i++;
      children.push(andExpr());
    }
    return children.length === 1 ? children[0]! : { op: 'or', children };
  };
  const andExpr = (): CondNode => {
    const children = [notExpr()];
    while (peek()?.lower === 'and') {
      i++;
      children.push(notExpr());
    }
    return children.length === 1 ? children[0]! : { op: 'and', children };
  };
  let depth = 0;
  const nested = <T>(at: Token, parse: () => T): T => {
    if (++depth > MAX_CONDITION_DEPTH) throw new ConditionError(`condition nests deeper than ${MAX_CONDITION_DEPTH} levels of parentheses and 'not'`, at.at);
    const node = parse();
    depth -= 1;
    return node;
  };
  const notExpr = (): CondNode => {
    const t = peek();
    if (t?.lower === 'not') {
      i++;
      return nested(t, () => ({ op: 'not', child: notExpr() }));
    }
    return primary();
  };
  const primary = (): CondNode => {
    const t = peek();
    if (!t) return fail('a search identifier, "not", "(" or a quantifier');
    if (t.text === '(') {
      i++;
      const inner = nested(t, orExpr);
      if (peek()?.text !== ')') fail("')'");
      i++;
      return inner;
    }
    if (t.lower === '1' || t.lower === 'any' || t.lower === 'all') {
      if (toks[i + 1]?.lower === 'of') return quantifier(t);
    }
    if (t.text === ')' || KEYWORDS.has(t.lower)) fail('a search identifier');
    i++;
    if (/[*?]/.test(t.text)) throw new ConditionError(`wildcard '${t.text}' is only allowed after '1 of', 'any of' or 'all of'`, t.at);
    if (!identifiers.includes(t.text)) throw new ConditionError(`condition references undefined search identifier '${t.text}'`, t.at);
    return { op: 'ref', name: t.text };
  };
  const quantifier = (q: Token): CondNode => {
    i += 2;
    const target = peek();
    if (!target || target.text === '(' || target.text === ')') return fail("a search identifier, pattern or 'them'");
    i++;
    let names: string[];
    if (target.lower === 'them') names = identifiers.filter((n) => !n.startsWith('_'));
    else {
      const pat = globRegExp(target.text);
      names = identifiers.filter((n) => pat.test(n));
    }
    if (names.length === 0)
      throw new ConditionError(`'${q.text} of ${target.text}' matches no search identifier`, target.at);
    const refs: CondNode[] = names.map((name) => ({ op: 'ref', name }));
    if (refs.length === 1) return refs[0]!;
    return { op: q.lower === 'all' ? 'and' : 'or', children: refs };
  };

  const tree = orExpr();
  if (i < toks.length) fail("'and', 'or' or end of condition");
  return tree;
}

/** Identifier patterns are short names, so an anchored RegExp built from escaped text is safe. */
function globRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
