/**
 * `kql`: Kusto for Microsoft Defender XDR advanced hunting (`microsoft-xdr`: DeviceProcessEvents,
 * DeviceNetworkEvents, DeviceFileEvents, …) and Microsoft Sentinel (`sentinel`: SecurityEvent 4688).
 *
 * Case policy: `=~`, `in~`, `contains`, `startswith`, `endswith` are case-insensitive (Sigma's
 * default); `|cased` uses `==`, `in`, `contains_cs`, `startswith_cs`, `endswith_cs`. Values with
 * inner wildcards become an anchored `matches regex` (with `(?i)` unless cased).
 */
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { TextBackend, unsupported, type Tokens } from './base.js';
import { ConversionError, fieldsOf, ruleExpr, type Expr, type FieldMap, type Group } from './ir.js';
import { SENTINEL_TABLES, XDR_TABLES, type KqlTable } from './pipelines/xdr.js';
import { dq } from './quoting.js';
import { anchoredRegex, inlineFlags, shapeOf } from './strings.js';
import { sinceOf, type Backend, type ConvertOptions } from './target.js';
import { ownEntry } from '../own-entry.js';

const ident = (f: string) => (/^[A-Za-z_]\w*$/.test(f) ? f : `['${f.replace(/'/g, "\\'")}']`);
const CMP = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

class KqlText extends TextBackend {
  readonly tokens: Tokens = { and: ' and ', or: ' or ', not: (i) => `not(${i.startsWith('(') && i.endsWith(')') ? i.slice(1, -1) : i})`, group: (i) => `(${i})`, groupAndInOr: true, groupNot: true };
  constructor(fields: FieldMap) {
    super(fields);
  }
  notNull(field: string) {
    return `isnotnull(${ident(field)})`;
  }
  /** Plain values (numbers as their text) first as one `in~` list, the other tests on the same field after it (as pySigma-kusto does). */
  protected override inList(e: Group) {
    const first = e.children[0];
    if (first?.op !== 'test' || !e.children.every((c) => c.op === 'test' && c.field === first.field)) return undefined;
    const plainText = (c: Expr): string | undefined => {
      if (c.op !== 'test') return undefined;
      if (c.test.kind === 'number') return String(c.test.value);
      if (c.test.kind === 'string' && !c.test.cased) {
        const sh = shapeOf(c.test.value);
        return sh.kind === 'exact' ? sh.text : undefined;
      }
      return undefined;
    };
    const plain = e.children.filter((c) => plainText(c) !== undefined);
    if (plain.length < 2) return undefined;
    const rest = e.children.filter((c) => !plain.includes(c)).map((c) => this.expr(c, { negated: false, nonNull: new Set() }));
    return [`${ident(first.field)} in~ (${plain.map((c) => dq(plainText(c)!)).join(', ')})`, ...rest].join(' or ');
  }
  leaf(field: string, t: ValueTest): string {
    const f = ident(field);
    switch (t.kind) {
      case 'string': {
        const sh = shapeOf(t.value);
        const cs = t.cased ? '_cs' : '';
        if (sh.kind === 'exact') return `${f} ${t.cased ? '==' : '=~'} ${dq(sh.text)}`;
        if (sh.kind === 'pattern') return `${f} matches regex ${dq((t.cased ? '' : '(?i)') + anchoredRegex(t.value))}`;
        return `${f} ${sh.kind}${cs} ${dq(sh.text)}`;
      }
      case 'regex':
        return `${f} matches regex ${dq(inlineFlags(t.flags) + t.pattern)}`;
      case 'number':
        return `${f} == ${t.value}`;
      case 'bool':
        return `${f} == ${t.value}`;
      case 'null':
        return `isnull(${f})`;
      case 'exists':
        return t.value ? `isnotempty(${f})` : `isempty(${f})`;
      case 'compare':
        return `${f} ${CMP[t.op]} ${t.value}`;
      case 'cidr':
        return `${t.cidr.version === 4 ? 'ipv4' : 'ipv6'}_is_in_range(${f}, ${dq(t.cidr.text)})`;
      case 'fieldref': {
        const g = ident(t.field);
        const cs = t.cased ? '_cs' : '';
        if (t.startsWith && t.endsWith) return `${f} contains${cs} ${g}`;
        if (t.startsWith) return `${f} startswith${cs} ${g}`;
        if (t.endsWith) return `${f} endswith${cs} ${g}`;
        return `${f} ${t.cased ? '==' : '=~'} ${g}`;
      }
    }
  }
  keyword(t: ValueTest): string {
    if (t.kind === 'string') {
      const sh = shapeOf(t.value.withLeadingMulti().withTrailingMulti());
      if (sh.kind === 'contains') return `* contains${t.cased ? '_cs' : ''} ${dq(sh.text)}`;
    }
    return unsupported('KQL', `a ${t.kind} keyword with inner wildcards`);
  }
}

function tableFor(rule: SigmaRule, pipeline: string): KqlTable | undefined {
  if (pipeline === 'none') return undefined;
  const tables = pipeline === 'sentinel' ? SENTINEL_TABLES : XDR_TABLES;
  const cat = rule.logsourceKey.category;
  const t = cat ? ownEntry(tables, cat) : undefined;
  if (!t) throw new ConversionError(`logsource category '${cat ?? '(none)'}' has no table in pipeline '${pipeline}' (mapped: ${Object.keys(tables).join(', ')})`);
  return t;
}

function kqlRule(rule: SigmaRule, options: ConvertOptions): string {
  const table = tableFor(rule, options.pipeline);
  if (table) {
    const unknown = [...fieldsOf(ruleExpr(rule, table.fields))].filter((f) => !table.columns.has(f));
    if (unknown.length) throw new ConversionError(`field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `'${f}'`).join(', ')} ha${unknown.length > 1 ? 've' : 's'} no column in ${table.table} (pipeline ${options.pipeline})`);
  }
  const text = new KqlText(table?.fields ?? {});
  const since = sinceOf(options);
  if (!table) {
    if (since || options.limit) throw new ConversionError('--since and --limit need a table (pipeline microsoft-xdr or sentinel)');
    return text.condition(rule);
  }
  const where = table.where ? `${table.where} and ${text.conjunct(rule)}` : text.condition(rule);
  const time = table === ownEntry(SENTINEL_TABLES, rule.logsourceKey.category ?? '') ? 'TimeGenerated' : 'Timestamp';
  return [table.table, ...(since ? [`| where ${time} > ago(${since.text})`] : []), `| where ${where}`, ...(options.limit ? [`| take ${options.limit}`] : [])].join('\n');
}

export const kqlBackend: Backend = {
  name: 'kql',
  description: 'Kusto: Microsoft Defender XDR tables (microsoft-xdr) or Sentinel SecurityEvent (sentinel)',
  pipelines: ['microsoft-xdr', 'sentinel', 'none'],
  rule: kqlRule,
};
