/**
 * `esql`: Elastic ES|QL over ECS fields (pipeline `ecs`) or unmapped names (`none`).
 *
 * Case policy: ES|QL `==`, `like`, `starts_with` are case-sensitive, so case-insensitive values
 * compare `to_lower(F)` with the lower-cased value; `|cased` compares F itself. ES|QL is
 * three-valued (a comparison with a missing field is null and `where` drops the row), so `not`
 * gets `is not null` guards like SQL. Regexes: `rlike` with a Lucene regex (whole value, no
 * inline flags, so `|i`, `|m`, `|s` are not expressible). Keywords are not expressible.
 */
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { TextBackend, unsupported, type Tokens } from './base.js';
import type { Correlation } from './correlation.js';
import { CMP, channelOf, ecsFields, ident, luceneRegex } from './elastic.js';
import type { Group } from './ir.js';
import { ECS_KEYWORD_NUMBERS, ESQL_INDEX } from './pipelines/ecs.js';
import { dq } from './quoting.js';
import { globPattern, lowerString, shapeOf } from './strings.js';
import { sinceOf, type Backend, type ConvertOptions } from './target.js';

class EsqlText extends TextBackend {
  readonly tokens: Tokens = { and: ' and ', or: ' or ', not: (i) => `not ${i}`, group: (i) => `(${i})`, groupAndInOr: false };
  // ES|QL is three-valued: a comparison with a missing field is null and `where` drops the row.
  override readonly threeValued = true;
  notNull(f: string) {
    return `${ident(f)} is not null`;
  }
  protected override inList(e: Group) {
    const cased = this.plainValues(e, true);
    if (cased) return `${ident(cased.field)} in (${cased.values.map(dq).join(', ')})`;
    const folded = this.plainValues(e, false);
    return folded ? `to_lower(${ident(folded.field)}) in (${folded.values.map((v) => dq(v.toLowerCase())).join(', ')})` : undefined;
  }
  leaf(field: string, t: ValueTest): string {
    const f = ident(field);
    switch (t.kind) {
      case 'string': {
        const v = t.cased ? t.value : lowerString(t.value);
        const col = t.cased ? f : `to_lower(${f})`;
        const sh = shapeOf(v);
        if (sh.kind === 'exact') return `${col}==${dq(sh.text)}`;
        if (sh.kind === 'startswith') return `starts_with(${col}, ${dq(sh.text)})`;
        if (sh.kind === 'endswith') return `ends_with(${col}, ${dq(sh.text)})`;
        return `${col} like ${dq(globPattern(v))}`;
      }
      case 'regex':
        if (t.flags.length) return unsupported('ES|QL', 'a regular expression with flags (i, m, s)');
        return `${f} rlike ${dq(luceneRegex(t.pattern))}`;
      case 'number':
        return ECS_KEYWORD_NUMBERS.has(field) ? `${f}==${dq(String(t.value))}` : `${f}==${t.value}`;
      case 'bool':
        return `${f}==${t.value}`;
      case 'null':
        return `${f} is null`;
      case 'exists':
        return `${f} ${t.value ? 'is not null' : 'is null'}`;
      case 'compare':
        return `${f}${CMP[t.op]}${t.value}`;
      case 'cidr':
        return `cidr_match(${f}, ${dq(t.cidr.text)})`;
      case 'fieldref':
        if (t.startsWith || t.endsWith) return unsupported('ES|QL', 'a field reference with startswith/endswith/contains');
        return t.cased ? `${f}==${ident(t.field)}` : `to_lower(${f})==to_lower(${ident(t.field)})`;
    }
  }
  keyword(): string {
    return unsupported('ES|QL', 'a keyword (full-text) search');
  }
}

function esqlRule(rule: SigmaRule, options: ConvertOptions): string {
  const index = options.pipeline === 'none' ? '*' : ESQL_INDEX;
  const since = sinceOf(options);
  const text = new EsqlText(ecsFields(options.pipeline));
  const channel = channelOf(rule, options.pipeline);
  return (
    `from ${index} metadata _id, _index, _version | where ${channel ? `winlog.channel==${dq(channel)} and ${text.conjunct(rule)}` : text.condition(rule)}` +
    (since ? ` | where @timestamp > now() - ${since.amount} ${since.unit}` : '') +
    (options.limit ? ` | limit ${options.limit}` : '')
  );
}

function esqlCorrelation(c: Correlation, options: ConvertOptions): string {
  const text = new EsqlText(ecsFields(options.pipeline));
  const index = options.pipeline === 'none' ? '*' : ESQL_INDEX;
  const conds = c.rules.map((r) => text.condition(r.rule));
  const where = conds.length === 1 ? conds[0] : conds.map((x) => `(${x})`).join(' or ');
  const bucket = `| eval timebucket=date_trunc(${c.timespan.seconds % 60 === 0 ? `${c.timespan.seconds / 60}minutes` : `${c.timespan.seconds}seconds`}, @timestamp)`;
  const by = ['timebucket', ...c.groupBy].join(', ');
  const op = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' }[c.condition.op];
  const head = `from ${index} metadata _id, _index, _version | where ${where}`;
  switch (c.type) {
    case 'event_count':
      return `${head}\n${bucket} | stats event_count=count() by ${by}\n| where event_count ${op} ${c.condition.value}`;
    case 'value_count':
      return `${head}\n${bucket} | stats value_count=count_distinct(${c.condition.field}) by ${by}\n| where value_count ${op} ${c.condition.value}`;
    case 'value_sum':
    case 'value_avg':
      return `${head}\n${bucket} | stats ${c.type}=${c.type === 'value_sum' ? 'sum' : 'avg'}(${c.condition.field}) by ${by}\n| where ${c.type} ${op} ${c.condition.value}`;
    case 'temporal': {
      const kase = `| eval event_type=case(${c.rules.map((r, i) => `${conds[i]}, ${dq(r.name)}`).join(', ')})`;
      return `${head}\n${kase}\n${bucket} | stats event_type_count=count_distinct(event_type) by ${by}\n| where event_type_count >= ${c.rules.length}`;
    }
    default:
      return unsupported('ES|QL', `correlation type '${c.type}'`);
  }
}

export const esqlBackend: Backend = {
  name: 'esql',
  description: 'Elastic ES|QL, ECS field names',
  pipelines: ['ecs', 'none'],
  rule: esqlRule,
  correlation: esqlCorrelation,
};
