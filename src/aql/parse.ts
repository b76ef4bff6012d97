/**
 * Parser for the AQL subset QRadar detections use: SELECT (expressions, aliases, *), FROM
 * events, WHERE, LAST n MINUTES|HOURS|DAYS, ORDER BY, LIMIT; expressions with AND/OR/NOT,
 * comparisons, [NOT] LIKE/ILIKE, MATCHES, [NOT] IN, IS [NOT] NULL, CASE, function calls.
 * Anything else is an AqlError naming the construct and its position (line:column).
 */
import { compileRegex } from '../sigma/regex.js';

export class AqlError extends Error {
  /** `offset` in `text`; without them, a problem of the whole query (DuckDB refusing it). */
  constructor(message: string, readonly offset?: number, text?: string) {
    const before = offset === undefined || text === undefined ? undefined : text.slice(0, offset).split('\n');
    super(before ? `${message} at line ${before.length}, column ${before[before.length - 1]!.length + 1}` : message);
  }
}

type TokKind = 'ident' | 'qident' | 'string' | 'number' | 'op' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  /** Upper-cased text for keyword comparison (identifiers only). */
  up: string;
  at: number;
}

export type AqlExpr =
  | { k: 'col'; name: string; at: number }
  | { k: 'str'; value: string }
  | { k: 'num'; value: number }
  | { k: 'bool'; value: boolean }
  | { k: 'null' }
  | { k: 'call'; name: string; args: AqlExpr[]; at: number }
  | { k: 'bin'; op: string; left: AqlExpr; right: AqlExpr }
  | { k: 'not'; expr: AqlExpr }
  | { k: 'neg'; expr: AqlExpr }
  | { k: 'like'; op: 'LIKE' | 'ILIKE' | 'MATCHES'; not: boolean; left: AqlExpr; pattern: AqlExpr }
  | { k: 'in'; not: boolean; left: AqlExpr; list: AqlExpr[] }
  | { k: 'isnull'; not: boolean; expr: AqlExpr }
  | { k: 'case'; whens: { when: AqlExpr; then: AqlExpr }[]; else?: AqlExpr };

export interface AqlQuery {
  select: { expr: AqlExpr | '*'; alias?: string; text: string }[];
  where?: AqlExpr;
  last?: { amount: number; unit: 'MINUTES' | 'HOURS' | 'DAYS' };
  orderBy: { expr: AqlExpr; desc: boolean }[];
  limit?: number;
}

const UNSUPPORTED_CLAUSES = ['GROUP', 'HAVING', 'START', 'STOP', 'JOIN', 'UNION', 'PARAMETERS', 'COUNT', 'DISTINCT', 'BETWEEN', 'INTO', 'SESSION', 'TIMEZONE'];

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s+|--[^\n]*|(?<num>\d+(?:\.\d+)?)|(?<id>[A-Za-z_][A-Za-z0-9_.]*)|"(?<qid>(?:[^"]|"")*)"|'(?<str>(?:[^']|'')*)'|(?<op><=|>=|<>|!=|[=<>(),*+\-/])/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length) {
    const at = re.lastIndex;
    m = re.exec(text);
    if (!m) throw new AqlError(`unexpected character '${text[at]}'`, at, text);
    const g = m.groups!;
    if (g.num !== undefined) out.push({ kind: 'number', text: g.num, up: g.num, at });
    else if (g.id !== undefined) out.push({ kind: 'ident', text: g.id, up: g.id.toUpperCase(), at });
    else if (g.qid !== undefined) out.push({ kind: 'qident', text: g.qid.replace(/""/g, '"'), up: '', at });
    else if (g.str !== undefined) out.push({ kind: 'string', text: g.str.replace(/''/g, "'"), up: '', at });
    else if (g.op !== undefined) out.push({ kind: 'op', text: g.op, up: g.op, at });
  }
  out.push({ kind: 'eof', text: '', up: '', at: text.length });
  return out;
}

/** How deep a query's expressions may nest (parentheses, NOT, unary minus, calls, CASE). */
export const MAX_NESTING = 100;

export function parseAql(text: string): AqlQuery {
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i]!;
  const fail = (msg: string, t = peek()): never => {
    throw new AqlError(msg, t.at, text);
  };
  const isKw = (kw: string, t = peek()) => t.kind === 'ident' && t.up === kw;
  const accept = (kw: string) => (isKw(kw) ? (i++, true) : false);
  const expectKw = (kw: string) => {
    if (!accept(kw)) unexpected(`'${kw}'`);
  };
  const acceptOp = (op: string) => (peek().kind === 'op' && peek().text === op ? (i++, true) : false);
  const expectOp = (op: string) => {
    if (!acceptOp(op)) unexpected(`'${op}'`);
  };
  const unexpected = (wanted: string): never => {
    const t = peek();
    if (t.kind === 'ident' && UNSUPPORTED_CLAUSES.includes(t.up)) fail(`unsupported AQL construct '${t.text}' (the offline runner supports the detection subset; see docs/conversion.md)`);
    return fail(`expected ${wanted}, got ${t.kind === 'eof' ? 'end of query' : `'${t.text}'`}`);
  };

  // Nesting (parentheses, NOT, unary minus, calls, CASE) is bounded: the parser and the SQL it
  // becomes recurse once per level, and thousands of levels overflowed the stack or DuckDB's parser.
  let depth = 0;
  const nested = <T>(at: Tok, parse: () => T): T => {
    if (++depth > MAX_NESTING) fail(`the query nests deeper than ${MAX_NESTING} levels (parentheses, NOT, calls, CASE)`, at);
    const node = parse();
    depth -= 1;
    return node;
  };

  const orExpr = (): AqlExpr => {
    let left = andExpr();
    while (accept('OR')) left = { k: 'bin', op: 'OR', left, right: andExpr() };
    return left;
  };
  const andExpr = (): AqlExpr => {
    let left = notExpr();
    while (accept('AND')) left = { k: 'bin', op: 'AND', left, right: notExpr() };
    return left;
  };
  const notExpr = (): AqlExpr => {
    const t = peek();
    return accept('NOT') ? nested(t, () => ({ k: 'not', expr: notExpr() })) : predicate();
  };
  const predicate = (): AqlExpr => {
    const left = additive();
    const t = peek();
    if (t.kind === 'op' && ['=', '!=', '<>', '<', '>', '<=', '>='].includes(t.text)) {
      i++;
      return { k: 'bin', op: t.text === '<>' ? '!=' : t.text, left, right: additive() };
    }
    if (accept('IS')) {
      const not = accept('NOT');
      expectKw('NULL');
      return { k: 'isnull', not, expr: left };
    }
    const not = accept('NOT');
    if (accept('LIKE')) return { k: 'like', op: 'LIKE', not, left, pattern: additive() };
    if (accept('ILIKE')) return { k: 'like', op: 'ILIKE', not, left, pattern: additive() };
    if (accept('MATCHES')) {
      const at = peek();
      const pattern = additive();
      // DuckDB's regexp_matches is RE2, as re2js is: a pattern it cannot compile is told here, where it is.
      if (pattern.k === 'str') {
        try {
          compileRegex(pattern.value, []);
        } catch (e) {
          fail(`MATCHES pattern: ${(e as Error).message}`, at);
        }
      }
      return { k: 'like', op: 'MATCHES', not, left, pattern };
    }
    if (accept('IN')) {
      expectOp('(');
      const list = [additive()];
      while (acceptOp(',')) list.push(additive());
      expectOp(')');
      return { k: 'in', not, left, list };
    }
    if (not) unexpected("LIKE, ILIKE, MATCHES or IN after NOT");
    return left;
  };
  // A run of + - (or * /) nests to the left, one level per operator: bounded as nesting is.
  const additive = (): AqlExpr => {
    let left = multiplicative();
    for (let terms = 1; ; terms++) {
      const t = peek();
      if (t.kind === 'op' && (t.text === '+' || t.text === '-')) {
        if (terms >= MAX_NESTING) fail(`more than ${MAX_NESTING} terms of + and -`, t);
        i++;
        left = { k: 'bin', op: t.text, left, right: multiplicative() };
      } else return left;
    }
  };
  const multiplicative = (): AqlExpr => {
    let left = unary();
    for (let terms = 1; ; terms++) {
      const t = peek();
      if (t.kind === 'op' && (t.text === '*' || t.text === '/')) {
        if (terms >= MAX_NESTING) fail(`more than ${MAX_NESTING} factors of * and /`, t);
        i++;
        left = { k: 'bin', op: t.text, left, right: unary() };
      } else return left;
    }
  };
  const unary = (): AqlExpr => {
    const t = peek();
    return acceptOp('-') ? nested(t, () => ({ k: 'neg', expr: unary() })) : primary();
  };
  const primary = (): AqlExpr => {
    const t = peek();
    if (t.kind === 'string') return i++, { k: 'str', value: t.text };
    if (t.kind === 'number') return i++, { k: 'num', value: Number(t.text) };
    if (t.kind === 'qident') return i++, { k: 'col', name: t.text, at: t.at };
    if (t.kind === 'op' && t.text === '(') {
      i++;
      const e = nested(t, orExpr);
      expectOp(')');
      return e;
    }
    if (t.kind === 'ident') {
      if (t.up === 'NULL') return i++, { k: 'null' };
      if (t.up === 'TRUE' || t.up === 'FALSE') return i++, { k: 'bool', value: t.up === 'TRUE' };
      if (t.up === 'CASE') return i++, nested(t, caseExpr);
      if (UNSUPPORTED_CLAUSES.includes(t.up)) fail(`unsupported AQL construct '${t.text}'`);
      i++;
      if (acceptOp('(')) {
        const args: AqlExpr[] = [];
        if (!acceptOp(')')) {
          args.push(nested(t, orExpr));
          while (acceptOp(',')) args.push(nested(t, orExpr));
          expectOp(')');
        }
        return { k: 'call', name: t.up, args, at: t.at };
      }
      return { k: 'col', name: t.text, at: t.at };
    }
    return unexpected('an expression');
  };
  const caseExpr = (): AqlExpr => {
    const whens: { when: AqlExpr; then: AqlExpr }[] = [];
    if (!isKw('WHEN')) fail("unsupported AQL construct 'CASE expr WHEN' (only searched CASE WHEN cond THEN …)");
    while (accept('WHEN')) {
      const when = orExpr();
      expectKw('THEN');
      whens.push({ when, then: orExpr() });
    }
    const elseExpr = accept('ELSE') ? orExpr() : undefined;
    expectKw('END');
    return { k: 'case', whens, else: elseExpr };
  };

  expectKw('SELECT');
  const select: AqlQuery['select'] = [];
  do {
    const start = peek().at;
    if (acceptOp('*')) select.push({ expr: '*', text: '*' });
    else {
      const expr = orExpr();
      const end = peek().at;
      let alias: string | undefined;
      if (accept('AS')) {
        const a = peek();
        if (a.kind !== 'ident' && a.kind !== 'qident' && a.kind !== 'string') unexpected('an alias');
        alias = a.text;
        i++;
      }
      select.push({ expr, alias, text: text.slice(start, end).trim() });
    }
  } while (acceptOp(','));
  expectKw('FROM');
  const from = peek();
  if (!(from.kind === 'ident' && from.up === 'EVENTS')) fail(from.kind === 'ident' && from.up === 'FLOWS' ? "unsupported AQL construct 'FROM flows' (events only)" : "expected 'events'");
  i++;
  const q: AqlQuery = { select, orderBy: [] };
  if (accept('WHERE')) q.where = orExpr();
  if (accept('LAST')) {
    const n = peek();
    if (n.kind !== 'number') unexpected('a number after LAST');
    i++;
    const u = peek();
    const unit = u.up.replace(/S$/, '') + 'S';
    if (!['MINUTES', 'HOURS', 'DAYS'].includes(unit)) unexpected('MINUTES, HOURS or DAYS');
    i++;
    q.last = { amount: Number(n.text), unit: unit as 'MINUTES' | 'HOURS' | 'DAYS' };
  }
  if (accept('ORDER')) {
    expectKw('BY');
    do {
      const expr = orExpr();
      const desc = accept('DESC');
      if (!desc) accept('ASC');
      q.orderBy.push({ expr, desc });
    } while (acceptOp(','));
  }
  if (accept('LIMIT')) {
    const n = peek();
    if (n.kind !== 'number') unexpected('a number after LIMIT');
    i++;
    q.limit = Number(n.text);
  }
  if (peek().kind !== 'eof') unexpected('end of query');
  return q;
}
