/**
 * `esql` and `eql`: Elastic, ECS field names (pipeline `ecs`, pipelines/ecs.ts) or none.
 *
 * Case policy — ES|QL: `==`, `like`, `starts_with` are case-sensitive, so case-insensitive
 * values compare `to_lower(F)` with the lower-cased value; `|cased` compares F itself.
 * EQL: `:` and `like~` are case-insensitive; `|cased` uses `==` / `like`.
 * Regexes: both use Lucene regular expressions, which match the whole value, so Sigma's
 * unanchored `re` is wrapped in `.*(…).*` (a leading ^ / trailing $ drops that side); Lucene
 * has no inline flags, so `|i` is expressible only in EQL (`regex~`).
 */
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { TextBackend, unsupported, type Tokens } from './base.js';
import type { Correlation } from './correlation.js';
import { ConversionError, type FieldMap, type Group } from './ir.js';
import { WILDCARD_MULTI, WILDCARD_SINGLE, type SigmaString } from '../sigma/sigma-string.js';
import { ECS_FIELDS, EQL_CATEGORIES, ESQL_INDEX } from './pipelines/ecs.js';
import { WINDOWS_SERVICE_CHANNELS } from './pipelines/windows.js';
import { dq } from './quoting.js';
import { globPattern, lowerString, shapeOf } from './strings.js';
import { sinceOf, type Backend, type ConvertOptions } from './target.js';

const ident = (f: string) => (/^[A-Za-z_@][\w.]*$/.test(f) ? f : `\`${f.replace(/`/g, '``')}\``);
const CMP = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Sigma's unanchored regex as a Lucene (whole-value) regex. */
function luceneRegex(pattern: string): string {
  const lead = pattern.startsWith('^') ? pattern.slice(1) : '.*' + pattern;
  return lead.endsWith('$') && !lead.endsWith('\\$') ? lead.slice(0, -1) : lead + '.*';
}

function ecsFields(pipeline: string): FieldMap {
  return pipeline === 'none' ? {} : ECS_FIELDS;
}

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

/**
 * EQL wildcard value: `*` and `?` are wildcards and EQL has no escape for them, so a literal
 * `*` or `?` in a Sigma value is not expressible; a backslash is a plain character.
 */
function eqlGlob(s: SigmaString): string {
  return s.parts
    .map((p) => {
      if (p === WILDCARD_MULTI) return '*';
      if (p === WILDCARD_SINGLE) return '?';
      if (typeof p !== 'string') throw new ConversionError(`unresolved placeholder %${(p as { placeholder: string }).placeholder}%`);
      if (/[*?]/.test(p)) throw new ConversionError(`a literal '*' or '?' in a wildcard value is not expressible in EQL`);
      return p;
    })
    .join('');
}

class EqlText extends TextBackend {
  readonly tokens: Tokens = { and: ' and ', or: ' or ', not: (i) => `(not ${i})`, group: (i) => `(${i})`, groupAndInOr: true };
  notNull(f: string) {
    return `?${ident(f)} != null`;
  }
  protected override inList(e: Group) {
    const first = e.children[0];
    if (first?.op !== 'test') return undefined;
    const values: string[] = [];
    for (const c of e.children) {
      if (c.op !== 'test' || c.field !== first.field || c.test.kind !== 'string' || c.test.cased) return undefined;
      values.push(dq(eqlGlob(c.test.value)));
    }
    return `${ident(first.field)} like~ (${values.join(', ')})`;
  }
  protected override negatedLeaf(field: string, t: ValueTest) {
    if (t.kind === 'null') return `?${ident(field)} != null`;
    return undefined;
  }
  leaf(field: string, t: ValueTest): string {
    const f = ident(field);
    switch (t.kind) {
      case 'string': {
        const sh = shapeOf(t.value);
        // The empty string has no case: `==` says it plainly.
        if (sh.kind === 'exact' && sh.text === '') return `${f}==""`;
        if (!t.cased) return `${f}:${dq(eqlGlob(t.value))}`;
        return sh.kind === 'exact' ? `${f}==${dq(sh.text)}` : `${f} like ${dq(eqlGlob(t.value))}`;
      }
      case 'regex':
        if (t.flags.some((x) => x !== 'IGNORECASE')) return unsupported('EQL', 'a regular expression with m or s flags');
        return `${f} ${t.flags.length ? 'regex~' : 'regex'} ${dq(luceneRegex(t.pattern))}`;
      case 'number':
      case 'bool':
        return `${f}==${t.value}`;
      case 'null':
        return `(?${f} == null)`;
      case 'exists':
        return t.value ? `?${f} != null` : `(?${f} == null)`;
      case 'compare':
        return `${f} ${CMP[t.op]} ${t.value}`;
      case 'cidr':
        return `cidrMatch(${f}, ${dq(t.cidr.text)})`;
      case 'fieldref':
        return unsupported('EQL', 'a field reference');
    }
  }
  keyword(): string {
    return unsupported('EQL', 'a keyword (full-text) search');
  }
}

/** A Windows logsource service → its `winlog.channel` (Winlogbeat), as the ecs_windows pipeline does. */
function channelOf(rule: SigmaRule, pipeline: string): string | undefined {
  const service = rule.logsourceKey.service;
  if (pipeline === 'none' || service === undefined || rule.logsourceKey.product !== 'windows') return undefined;
  const channel = WINDOWS_SERVICE_CHANNELS[service];
  if (!channel) throw new ConversionError(`logsource service '${service}' has no winlog.channel in pipeline ${pipeline}`);
  return channel;
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

function eqlRule(rule: SigmaRule, options: ConvertOptions): string {
  const cat = options.pipeline === 'none' ? 'any' : (EQL_CATEGORIES[rule.logsourceKey.category ?? ''] ?? 'any');
  if (options.since) throw new ConversionError('--since is not expressible in EQL (the time range is part of the search request, not the query)');
  const text = new EqlText(ecsFields(options.pipeline));
  const channel = channelOf(rule, options.pipeline);
  const where = channel ? `winlog.channel==${dq(channel)} and ${text.conjunct(rule)}` : text.condition(rule);
  return `${cat} where ${where}${options.limit ? ` | head ${options.limit}` : ''}`;
}

function eqlCorrelation(c: Correlation, options: ConvertOptions): string {
  if (c.type !== 'temporal_ordered') return unsupported('EQL', `correlation type '${c.type}' (EQL has sequences, no aggregations)`);
  const by = c.groupBy.length ? ` by ${c.groupBy.map(ident).join(', ')}` : '';
  const steps = c.rules.map((r) => `  [${eqlRule(r.rule, options)}]`);
  return `sequence${by} with maxspan=${c.timespan.text}\n${steps.join('\n')}`;
}

export const esqlBackend: Backend = {
  name: 'esql',
  description: 'Elastic ES|QL, ECS field names',
  pipelines: ['ecs', 'none'],
  rule: esqlRule,
  correlation: esqlCorrelation,
};

export const eqlBackend: Backend = {
  name: 'eql',
  description: 'Elastic EQL, ECS field names',
  pipelines: ['ecs', 'none'],
  rule: eqlRule,
  correlation: eqlCorrelation,
};
