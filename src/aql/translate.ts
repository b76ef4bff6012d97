/**
 * AQL subset → DuckDB SQL over the `events` table the runner builds from a QRadar export
 * (one VARCHAR column per exported column, `starttime` BIGINT epoch ms, `__ord` input order).
 * - QIDNAME(qid) reads the exported QID name (`qidname`); UTF8(x) is x.
 * - NOW() is the fixed `now`; DATEADD(unit, n, t) adds n units in ms; LAST n HOURS is
 *   `starttime > now - n h`; DATEFORMAT renders epoch ms in UTC with the Java pattern converted.
 * - LIKE/ILIKE take a backslash as escape for % _ \; MATCHES is an unanchored RE2 search.
 * - INCIDR(cidr, ip) is IPv4 arithmetic (IPv6 is rejected with a clear error).
 * - ORDER BY starttime gets `__ord` as tie-break: ties keep input order, as `scan` does.
 */
import { parseCidr } from '../sigma/cidr.js';
import { ipv4InCidrSql } from '../backends/sql-cidr.js';
import { AqlError, type AqlExpr, type AqlQuery } from './parse.js';

export interface Schema {
  /** Exported column names present in the table. */
  columns: ReadonlySet<string>;
}

const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A Map: a unit is the query's text (`'constructor'` is none). */
const UNIT_MS = new Map(Object.entries({ second: 1000, seconds: 1000, minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000, week: 604_800_000, weeks: 604_800_000 }));

/** Java SimpleDateFormat pattern → strftime. */
export function javaToStrftime(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    if (c === "'") {
      const end = p.indexOf("'", i + 1);
      out += (end < 0 ? p.slice(i + 1) : p.slice(i + 1, end)).replace(/%/g, '%%') || "'";
      i = end < 0 ? p.length : end + 1;
      continue;
    }
    let n = 1;
    while (p[i + n] === c) n++;
    const run = c.repeat(n);
    const map: Record<string, string> = { yyyy: '%Y', yy: '%y', MM: '%m', dd: '%d', HH: '%H', hh: '%I', mm: '%M', ss: '%S', SSS: '%g', a: '%p', EEE: '%a', MMM: '%b' };
    if (/[A-Za-z]/.test(c)) {
      const m = map[run];
      if (m === undefined) throw new Error(`DATEFORMAT pattern letters '${run}' are not supported`);
      out += m;
    } else out += run.replace(/%/g, '%%');
    i += n;
  }
  return out;
}

/** `selectOrd`: select only the input position (`__ord`) of each row, for tests that compare row sets. */
export function translate(q: AqlQuery, schema: Schema, now: number, text: string, opts: { selectOrd?: boolean } = {}): { sql: string; columns: string[] } {
  const fail = (msg: string, at = 0): never => {
    throw new AqlError(msg, at, text);
  };
  const isNumCol = (e: AqlExpr) => e.k === 'col' && e.name === 'starttime';
  /**
   * The terms of a run of one AND or OR, left to right. The parser builds `a OR b OR c` as nested
   * pairs; written back as such, a query of thousands of terms nested as deep, which overflowed
   * this translation's stack and DuckDB's parser. One flat list instead, walked without recursion.
   */
  const chain = (e: Extract<AqlExpr, { k: 'bin' }>): AqlExpr[] => {
    const terms: AqlExpr[] = [];
    let cur: AqlExpr = e;
    for (; cur.k === 'bin' && cur.op === e.op; cur = cur.left) terms.push(cur.right);
    terms.push(cur);
    return terms.reverse();
  };
  const ex = (e: AqlExpr): string => {
    switch (e.k) {
      case 'col':
        if (e.name === 'starttime') return 'starttime';
        return schema.columns.has(e.name) ? ident(e.name) : 'CAST(NULL AS VARCHAR)';
      case 'str':
        return str(e.value);
      case 'num':
        return String(e.value);
      case 'bool':
        return String(e.value);
      case 'null':
        return 'NULL';
      case 'neg':
        return `(-${ex(e.expr)})`;
      case 'not':
        return `(NOT ${ex(e.expr)})`;
      case 'isnull':
        return `(${ex(e.expr)} IS ${e.not ? 'NOT ' : ''}NULL)`;
      case 'in': {
        const textual = !isNumCol(e.left);
        const items = e.list.map((x) => (textual && x.k === 'num' ? str(String(x.value)) : ex(x)));
        return `(${ex(e.left)} ${e.not ? 'NOT ' : ''}IN (${items.join(', ')}))`;
      }
      case 'like': {
        if (e.op === 'MATCHES') return `(${e.not ? 'NOT ' : ''}regexp_matches(${ex(e.left)}, ${ex(e.pattern)}))`;
        return `(${ex(e.left)} ${e.not ? 'NOT ' : ''}${e.op} ${ex(e.pattern)} ESCAPE '\\')`;
      }
      case 'bin': {
        if (e.op === 'AND' || e.op === 'OR') return `(${chain(e).map(ex).join(` ${e.op} `)})`;
        // Exported properties are text: a number literal compares as text for = / !=, as a number otherwise.
        const numLeft = e.right.k === 'num' && !isNumCol(e.left) && e.left.k === 'col';
        const numRight = e.left.k === 'num' && !isNumCol(e.right) && e.right.k === 'col';
        if ((numLeft || numRight) && ['=', '!='].includes(e.op))
          return `(${numLeft ? ex(e.left) : str(String((e.left as { value: number }).value))} ${e.op} ${numLeft ? str(String((e.right as { value: number }).value)) : ex(e.right)})`;
        if (numLeft) return `(TRY_CAST(${ex(e.left)} AS DOUBLE) ${e.op} ${ex(e.right)})`;
        if (numRight) return `(${ex(e.left)} ${e.op} TRY_CAST(${ex(e.right)} AS DOUBLE))`;
        return `(${ex(e.left)} ${e.op} ${ex(e.right)})`;
      }
      case 'case':
        return `CASE ${e.whens.map((w) => `WHEN ${ex(w.when)} THEN ${ex(w.then)}`).join(' ')}${e.else ? ` ELSE ${ex(e.else)}` : ''} END`;
      case 'call':
        return call(e);
    }
  };
  const arity = (e: Extract<AqlExpr, { k: 'call' }>, n: number) => {
    if (e.args.length !== n) fail(`${e.name} takes ${n} argument(s), got ${e.args.length}`, e.at);
  };
  const call = (e: Extract<AqlExpr, { k: 'call' }>): string => {
    const a = e.args;
    switch (e.name) {
      case 'QIDNAME':
        arity(e, 1);
        if (a[0]!.k !== 'col' || a[0]!.name !== 'qid') fail('QIDNAME takes the qid column', e.at);
        return schema.columns.has('qidname') ? ident('qidname') : 'CAST(NULL AS VARCHAR)';
      case 'LOGSOURCETYPENAME':
        arity(e, 1);
        return schema.columns.has('LOGSOURCETYPENAME(devicetype)') ? ident('LOGSOURCETYPENAME(devicetype)') : 'CAST(NULL AS VARCHAR)';
      case 'UTF8':
        arity(e, 1);
        return ex(a[0]!);
      case 'LOWER':
      case 'UPPER':
        arity(e, 1);
        return `${e.name.toLowerCase()}(${ex(a[0]!)})`;
      case 'CONCAT':
        return `concat(${a.map(ex).join(', ')})`;
      case 'NOW':
        arity(e, 0);
        return `CAST(${now} AS BIGINT)`;
      case 'DATEADD': {
        arity(e, 3);
        const unit = a[0]!.k === 'str' ? UNIT_MS.get(a[0]!.value.toLowerCase()) : undefined;
        if (unit === undefined) fail("DATEADD needs a unit like 'hours' (seconds, minutes, hours, days, weeks)", e.at);
        return `(${ex(a[2]!)} + (${ex(a[1]!)}) * ${unit})`;
      }
      case 'DATEFORMAT': {
        arity(e, 2);
        if (a[1]!.k !== 'str') fail('DATEFORMAT needs a pattern string', e.at);
        let fmt: string;
        try {
          fmt = javaToStrftime((a[1] as { value: string }).value);
        } catch (err) {
          return fail((err as Error).message, e.at);
        }
        return `strftime(epoch_ms(${ex(a[0]!)}), ${str(fmt)})`;
      }
      case 'INCIDR': {
        arity(e, 2);
        if (a[0]!.k !== 'str') fail('INCIDR needs a CIDR string', e.at);
        let cidr;
        try {
          cidr = parseCidr((a[0] as { value: string }).value);
        } catch (err) {
          return fail((err as Error).message, e.at);
        }
        if (cidr.version !== 4) fail('INCIDR with an IPv6 network is not supported by the offline runner', e.at);
        return ipv4InCidrSql(cidr, ex(a[1]!));
      }
      default:
        return fail(`unsupported AQL function '${e.name}'`, e.at);
    }
  };

  const columns: string[] = [];
  const select = q.select.map((s) => {
    if (s.expr === '*') {
      columns.push('*');
      return '* EXCLUDE ("__ord")';
    }
    // Unaliased: a column keeps its name (as QRadar shows it), other expressions their text.
    const name = s.alias ?? (s.expr.k === 'col' ? s.expr.name : s.text);
    columns.push(name);
    return `${ex(s.expr)} AS ${ident(name)}`;
  });
  const where: string[] = [];
  if (q.where) where.push(ex(q.where));
  if (q.last) where.push(`starttime > ${now - q.last.amount * UNIT_MS.get(q.last.unit.toLowerCase())!}`);
  const order = q.orderBy.map((o) => `${ex(o.expr)} ${o.desc ? 'DESC' : 'ASC'}`);
  // Ties (and a query without ORDER BY) keep input order, as `scan` does.
  order.push('"__ord" ASC');
  const sql = [
    `SELECT ${opts.selectOrd ? '"__ord"' : select.join(', ')}`,
    'FROM events',
    where.length ? `WHERE ${where.join(' AND ')}` : '',
    order.length ? `ORDER BY ${order.join(', ')}` : '',
    q.limit !== undefined ? `LIMIT ${q.limit}` : '',
  ].filter(Boolean).join('\n');
  return { sql, columns };
}
