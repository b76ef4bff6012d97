/**
 * `aql`: IBM QRadar AQL over the Sysmon / Windows Security DSM properties (pipeline `qradar`,
 * see pipelines/qradar.ts). Logsource category → QIDNAME(qid) LIKE condition; product and
 * service are not conditions (QRadar's event properties already come from those DSMs).
 *
 * Case policy: strings are ILIKE (case-insensitive, Sigma's default) with literal % _ \ escaped
 * by a backslash; `|cased` uses LIKE. Regexes use MATCHES (unanchored; `|i` → `(?i)`).
 * AQL is three-valued like SQL: under a `not`, a test on a property that may be NULL gets an
 * `IS NOT NULL` guard so the query means what the native engine means.
 */
import type { Column } from '../alerts/columns.js';
import type { Pack } from '../alerts/pack.js';
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { SigmaString } from '../sigma/sigma-string.js';
import { TextBackend, unsupported, type Ctx, type Tokens } from './base.js';
import { ConversionError, type FieldMap } from './ir.js';
import { QRADAR_BUILTIN_COLUMNS, QRADAR_CATEGORY_QIDS, QRADAR_FIELDS } from './pipelines/qradar.js';
import { inlineFlags, likePattern } from './strings.js';
import { sinceOf, type Backend, type ConvertOptions } from './target.js';

const aqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The QID name is a function of the qid column, not a property. */
const QID_NAME = 'QIDNAME(qid)';
const aqlIdent = (name: string) => (QRADAR_BUILTIN_COLUMNS.has(name) || name === QID_NAME ? name : `"${name.replace(/"/g, '""')}"`);

class AqlText extends TextBackend {
  readonly tokens: Tokens = { and: ' AND ', or: ' OR ', not: (i) => `NOT ${i}`, group: (i) => `(${i})`, groupAndInOr: true };
  override readonly threeValued = true;

  notNull(field: string): string {
    return `${aqlIdent(field)} IS NOT NULL`;
  }

  leaf(field: string, t: ValueTest, _ctx: Ctx): string {
    const col = aqlIdent(field);
    switch (t.kind) {
      case 'string':
        return `${col} ${t.cased ? 'LIKE' : 'ILIKE'} ${aqlString(likePattern(t.value))}`;
      case 'regex':
        return `${col} MATCHES ${aqlString(inlineFlags(t.flags) + t.pattern)}`;
      case 'number':
        return `${col}=${t.value}`;
      case 'bool':
        return `${col}=${t.value}`;
      case 'null':
      case 'exists':
        return `${col} ${t.kind === 'exists' && t.value ? 'IS NOT NULL' : 'IS NULL'}`;
      case 'compare':
        return `${col} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[t.op]} ${t.value}`;
      case 'cidr':
        return `INCIDR(${aqlString(t.cidr.text)}, ${col})`;
      case 'fieldref':
        if (t.startsWith || t.endsWith) return unsupported('AQL', 'a field reference with startswith/endswith/contains');
        return t.cased ? `${col}=${aqlIdent(t.field)}` : `LOWER(${col})=LOWER(${aqlIdent(t.field)})`;
    }
  }

  keyword(t: ValueTest): string {
    if (t.kind === 'string') return `UTF8(payload) ${t.cased ? 'LIKE' : 'ILIKE'} ${aqlString(likePattern(t.value.withLeadingMulti().withTrailingMulti()))}`;
    if (t.kind === 'number') return `UTF8(payload) ILIKE ${aqlString(likePattern(new SigmaString([String(t.value)]).withLeadingMulti().withTrailingMulti()))}`;
    if (t.kind === 'regex') return `UTF8(payload) MATCHES ${aqlString(inlineFlags(t.flags) + t.pattern)}`;
    return unsupported('AQL', `a ${t.kind} keyword`);
  }
}

function fieldsFor(pipeline: string): FieldMap {
  return pipeline === 'none' ? {} : QRADAR_FIELDS;
}

/** The QIDNAME condition of a rule's logsource category ([] when the rule has none). */
export function aqlLogsource(rule: SigmaRule, pipeline: string): string[] {
  const cat = rule.logsourceKey.category;
  if (pipeline === 'none' || cat === undefined) return [];
  const at = QRADAR_CATEGORY_QIDS.findIndex(([name]) => name === cat);
  if (at < 0) throw new ConversionError(`logsource category '${cat}' has no QRadar QID-name mapping in pipeline '${pipeline}' (mapped: ${QRADAR_CATEGORY_QIDS.map(([name]) => name).join(', ')})`);
  const like = (q: string) => `${QID_NAME} LIKE ${aqlString('%' + likePattern(new SigmaString([q])) + '%')}`;
  const parts = QRADAR_CATEGORY_QIDS[at]![1].map(like);
  const conditions = [parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`];
  // The categories before this one win (qradar-columns.ts qradarCategory).
  for (const [, earlier] of QRADAR_CATEGORY_QIDS.slice(0, at)) for (const q of earlier) conditions.push(`NOT ${like(q)}`);
  return conditions;
}

/** Logsource condition AND detection condition of one rule. */
export function aqlWhere(rule: SigmaRule, pipeline: string): string {
  const text = new AqlText(fieldsFor(pipeline));
  const ls = aqlLogsource(rule, pipeline);
  return ls.length === 0 ? text.condition(rule) : [...ls, text.conjunct(rule)].join(' AND ');
}

function windowClause(options: ConvertOptions): string | undefined {
  const s = sinceOf(options);
  return s ? `starttime > DATEADD('${s.unit}', -${s.amount}, NOW())` : undefined;
}

/** A pack column spec → AQL select expression. */
function selectExpr(col: Column, pipeline: string): string {
  const spec = col.spec;
  if (spec === 'host') return 'devicehostname';
  if (spec === 'user') return 'username';
  if (spec.startsWith('time:')) return `DATEFORMAT(starttime, ${aqlString(spec.slice(5))})`;
  if (spec.startsWith('field:')) {
    const f = spec.slice(6);
    const m = fieldsFor(pipeline)[f];
    return aqlIdent(typeof m === 'string' ? m : f);
  }
  throw new ConversionError(`column ${col.name}: spec '${spec}' has no AQL form`);
}

export const aqlBackend: Backend = {
  name: 'aql',
  description: 'IBM QRadar AQL (Sysmon / Windows Security DSM properties, QIDNAME conditions)',
  pipelines: ['qradar', 'none'],
  rule(rule, options) {
    const w = aqlWhere(rule, options.pipeline);
    const win = windowClause(options);
    const where = win ? `${win} AND (${w})` : w;
    return `SELECT * FROM events WHERE ${where}${options.limit ? ` LIMIT ${options.limit}` : ''}`;
  },
  combine(pack: Pack, options) {
    const opts: ConvertOptions = { since: '24h', limit: 500, ...stripUndefined(options), pipeline: options.pipeline };
    const conds = pack.rules.map((r) => aqlWhere(r as SigmaRule, options.pipeline));
    const select: string[] = [];
    for (const col of pack.columns ?? []) {
      const alias = /^[A-Za-z_]\w*$/.test(col.name) ? col.name : `"${col.name.replace(/"/g, '""')}"`;
      select.push(`${col.spec === 'label' ? caseExpr(pack, conds) : selectExpr(col, options.pipeline)} AS ${alias}`);
    }
    const win = windowClause(opts);
    const lines = [
      'SELECT',
      select.length ? select.map((s) => '  ' + s).join(',\n') : '  *',
      'FROM events',
      'WHERE',
      ...(win ? [`  ${win}`, '  AND ('] : ['  (']),
      conds.map((c) => `    (${c})`).join('\n    OR\n'),
      '  )',
      ...(pack.order === 'time-desc' ? ['ORDER BY starttime DESC'] : []),
      ...(opts.limit ? [`LIMIT ${opts.limit}`] : []),
    ];
    return lines.join('\n');
  },
};

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** CASE over the pack's rules in order (first match wins, like `selection: first-match`). */
function caseExpr(pack: Pack, conds: string[]): string {
  const labels = pack.rules.map((r) => pack.labels.get(r.id ?? '') ?? '');
  let last = labels.length - 1;
  while (last >= 0 && !labels[last]) last--;
  const whens = labels.slice(0, last + 1).map((l, i) => `    WHEN ${conds[i]}\n      THEN ${l ? aqlString(l) : 'NULL'}`);
  return ['CASE', ...whens, '    ELSE NULL', '  END'].join('\n');
}
