/**
 * `spl`: Splunk search. Pipelines: `splunk-sysmon` (Sysmon field names, source + EventCode),
 * `splunk-cim` (tstats over the CIM Endpoint.Processes data model), `none`.
 *
 * Case policy: Splunk search terms are case-insensitive (Sigma's default); `|cased` uses
 * `F=CASE("v")`. Splunk has no single-character wildcard: `?` becomes `*` (a superset, noted).
 * Regexes and field references at the top level become `| regex` / `| where` commands after
 * the search; regexes inside OR/NOT become `| rex` + `| eval` flags tested by a final `| search`
 * (pySigma-splunk's form); field references inside OR/NOT are not expressible.
 */
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { WILDCARD_MULTI, WILDCARD_SINGLE, type SigmaString } from '../sigma/sigma-string.js';
import { TOP, TextBackend, unsupported, type Tokens } from './base.js';
import { renamesFor, type Correlation } from './correlation.js';
import { parseCondition, type CondNode } from '../sigma/condition.js';
import { ConversionError, ruleExpr, type Expr, type Group, type FieldMap } from './ir.js';
import { CIM_PROCESSES, OTHER_CATEGORY_EVENTS, SYSMON_EVENT_CODES, SYSMON_SOURCE } from './pipelines/splunk.js';
import { WINDOWS_SERVICE_CHANNELS } from './pipelines/windows.js';
import { dq } from './quoting.js';
import { inlineFlags, noPlaceholders } from './strings.js';
import { sinceOf, type Backend, type ConvertOptions } from './target.js';
import { ownEntry } from '../own-entry.js';

const ident = (f: string) => (/^[A-Za-z_][\w.]*$/.test(f) ? f : dq(f));

function splValue(v: SigmaString): string {
  noPlaceholders(v);
  return dq(v.parts.map((p) => (p === WILDCARD_MULTI || p === WILDCARD_SINGLE ? '*' : (p as string))).join(''));
}

/** A regex leaf as rex + eval lines and the `FCondition="true"` term that stands for it in `| search`. */
type RegexHook = (field: string, t: Extract<ValueTest, { kind: 'regex' }>) => string;

class SplText extends TextBackend {
  // Splunk evaluates OR before AND: an OR inside an AND needs no parentheses, an AND inside an OR does.
  readonly tokens: Tokens = { and: ' ', or: ' OR ', not: (i) => `NOT ${i}`, group: (i) => `(${i})`, groupAndInOr: true, groupOrInAnd: false };
  constructor(fields: FieldMap, readonly target = 'SPL', readonly onRegex?: RegexHook) {
    super(fields);
  }
  notNull(field: string) {
    return `${ident(field)}=*`;
  }
  protected override inList(e: Group) {
    // Splunk's IN takes wildcard values too (and is case-insensitive, like =).
    const same = this.sameFieldStrings(e);
    return same ? `${ident(same.field)} IN (${same.values.map(splValue).join(', ')})` : undefined;
  }
  leaf(field: string, t: ValueTest): string {
    const f = ident(field);
    switch (t.kind) {
      case 'string':
        return t.cased ? `${f}=CASE(${splValue(t.value)})` : `${f}=${splValue(t.value)}`;
      case 'number':
        return `${f}=${t.value}`;
      case 'bool':
        return `${f}=${dq(String(t.value))}`;
      case 'cidr':
        return `${f}=${dq(t.cidr.text)}`;
      case 'exists':
        return t.value ? `${f}=*` : `NOT ${f}=*`;
      case 'null':
        return `NOT ${f}=*`;
      case 'compare':
        return `${f}${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[t.op]}${t.value}`;
      case 'regex':
        if (this.onRegex) return this.onRegex(field, t);
        return unsupported(this.target, 'a regular expression');
      case 'fieldref':
        return unsupported(this.target, 'a field reference inside OR/NOT');
    }
  }
  keyword(t: ValueTest): string {
    if (t.kind === 'string') return splValue(t.value);
    if (t.kind === 'number') return dq(String(t.value));
    return unsupported(this.target, `a ${t.kind} keyword`);
  }
}

/** Top-level AND children that must run as later pipe commands (regex, field references). */
function split(e: Expr): { search: Expr[]; later: Extract<Expr, { op: 'test' }>[] } {
  const children = e.op === 'and' ? e.children : [e];
  const later = children.filter((c): c is Extract<Expr, { op: 'test' }> => c.op === 'test' && (c.test.kind === 'regex' || c.test.kind === 'fieldref'));
  return { search: children.filter((c) => !later.includes(c as never)), later };
}

function laterCommand(c: Extract<Expr, { op: 'test' }>): string {
  const t = c.test;
  if (t.kind === 'regex') return `| regex ${ident(c.field)}=${dq(inlineFlags(t.flags) + t.pattern)}`;
  if (t.kind === 'fieldref') {
    const a = t.cased ? `'${c.field}'` : `lower('${c.field}')`;
    const b = t.cased ? `'${t.field}'` : `lower('${t.field}')`;
    if (t.startsWith || t.endsWith) throw new ConversionError('a field reference with startswith/endswith/contains is not expressible in SPL');
    return `| where ${a}=${b}`;
  }
  throw new Error('unreachable');
}

/**
 * Logsource → `source=… EventCode=…`: a category is a Sysmon event (source = the Sysmon channel);
 * a service without category is its Windows event log channel.
 */
function logsourcePrefix(rule: SigmaRule, pipeline: string): string[] {
  if (pipeline !== 'splunk-sysmon') return [];
  const { category: cat, service } = rule.logsourceKey;
  const eventCode = (codes: readonly number[]) => (codes.length === 1 ? `EventCode=${codes[0]}` : `EventCode IN (${codes.join(', ')})`);
  if (cat !== undefined) {
    const codes = ownEntry(SYSMON_EVENT_CODES, cat);
    if (codes) return [SYSMON_SOURCE, eventCode(codes)];
    const other = ownEntry(OTHER_CATEGORY_EVENTS, cat);
    if (other) return [`source=${dq(`XmlWinEventLog:${other.channel}`)}`, eventCode(other.codes)];
    throw new ConversionError(`logsource category '${cat}' has no Windows event in pipeline splunk-sysmon`);
  }
  if (service === undefined) return [];
  const channel = ownEntry(WINDOWS_SERVICE_CHANNELS, service);
  if (!channel) throw new ConversionError(`logsource service '${service}' has no event log channel in pipeline splunk-sysmon`);
  return [`source=${dq(`XmlWinEventLog:${channel}`)}`];
}

function splRule(rule: SigmaRule, options: ConvertOptions): string {
  if (options.pipeline === 'splunk-cim') return cimRule(rule);
  const e = ruleExpr(rule, {});
  const prefix = logsourcePrefix(rule, options.pipeline);
  const { search, later } = split(e);
  if (!search.some(hasRegex)) {
    // Regexes and field references only at the top level: plain search, then `| regex` / `| where`.
    const text = new SplText({});
    const parts = [...prefix, ...search.map((c) => {
      const s = text.expr(c, TOP);
      return c.op === 'and' ? `(${s})` : s;
    })];
    return [parts.length ? parts.join(' ') : '*', ...later.map(laterCommand)].join('\n');
  }
  // Regexes inside OR/NOT: each becomes `| rex` + `| eval FCondition`, and the whole condition a `| search`.
  const lines: string[] = [];
  const seen = new Map<string, number>();
  const text = new SplText({}, 'SPL', (field, t) => {
    const base = field.replace(/^.*\./, '').replace(/\W/g, '_');
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const tag = n === 1 ? '' : String(n);
    lines.push(`| rex field=${ident(field)} ${dq(`(?<${base}Match${tag}>${inlineFlags(t.flags)}${t.pattern})`)}`);
    lines.push(`| eval ${base}Condition${tag}=if(isnotnull(${base}Match${tag}), "true", "false")`);
    return `${base}Condition${tag}="true"`;
  });
  const cond = text.expr(e, TOP);
  return [prefix.join(' '), ...lines, `| search ${cond}`].join('\n');
}

function hasRegex(e: Expr): boolean {
  if (e.op === 'test') return e.test.kind === 'regex';
  if (e.op === 'not') return hasRegex(e.child);
  if (e.op === 'keyword') return false;
  return e.children.some(hasRegex);
}

function cimRule(rule: SigmaRule): string {
  if (rule.logsourceKey.category !== 'process_creation') throw new ConversionError(`the CIM pipeline maps process_creation only (Endpoint.Processes), not '${rule.logsourceKey.category ?? 'no category'}'`);
  const text = new SplText(CIM_PROCESSES, 'SPL tstats');
  const cond = text.condition(rule);
  return `| tstats summariesonly=false allow_old_summaries=true count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes where ${cond} by Processes.dest Processes.user Processes.parent_process Processes.process_path Processes.process`;
}

function splCorrelation(c: Correlation, options: ConvertOptions): string {
  const bin = `| bin _time span=${c.timespan.text}`;
  const by = ['_time', ...c.groupBy].join(' ');
  const sub = (r: Correlation['rules'][number]) =>
    `[ search ${splRule(r.rule, options)} | eval event_type=${dq(r.name)}${renamesFor(c, r.name).map(([f, a]) => ` | rename ${f} as ${a}`).join('')} ]`;
  const search = c.rules.length === 1 ? splRule(c.rules[0]!.rule, options) : '| multisearch\n' + c.rules.map(sub).join('\n');
  const op = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' }[c.condition.op];
  switch (c.type) {
    case 'event_count':
      return `${search}\n\n${bin}\n| stats count as event_count by ${by}\n\n| search event_count ${op} ${c.condition.value}`;
    case 'value_count':
      return `${search}\n\n${bin}\n| stats dc(${c.condition.field}) as value_count by ${by}\n\n| search value_count ${op} ${c.condition.value}`;
    case 'value_sum':
    case 'value_avg':
      return `${search}\n\n${bin}\n| stats ${c.type === 'value_sum' ? 'sum' : 'avg'}(${c.condition.field}) as ${c.type} by ${by}\n\n| search ${c.type} ${op} ${c.condition.value}`;
    case 'temporal': {
      if (c.expression === undefined)
        return `${search}\n\n${bin}\n| stats dc(event_type) as event_type_count by ${by}\n\n| search event_type_count >= ${c.rules.length}`;
      // A condition over rule names: which rules occurred in the bucket.
      const names = c.rules.map((r) => r.name);
      const cond = parseCondition(c.expression, names);
      const render = (n: CondNode): string =>
        n.op === 'ref' ? `event_types=${dq(n.name)}` : n.op === 'not' ? `NOT ${render(n.child)}` : n.children.map((x) => (x.op === 'and' && n.op === 'or' ? `(${render(x)})` : render(x))).join(n.op === 'and' ? ' ' : ' OR ');
      return `${search}\n\n${bin}\n| stats values(event_type) as event_types by ${by}\n\n| search ${render(cond)}`;
    }
    default:
      return unsupported('SPL', `correlation type '${c.type}'`);
  }
}

export const splBackend: Backend = {
  name: 'spl',
  description: 'Splunk SPL (Sysmon field names; CIM data model with --pipeline splunk-cim)',
  pipelines: ['splunk-sysmon', 'splunk-cim', 'none'],
  rule(rule, options) {
    // Time window and limit frame the whole query (not the sub-searches of a correlation).
    const since = sinceOf(options);
    if (since && options.pipeline === 'splunk-cim') throw new ConversionError('--since with tstats: set the time range of the search instead');
    const [first = '', ...rest] = splRule(rule, options).split('\n');
    const head = since ? `earliest=-${since.text} ${first}`.trimEnd() : first;
    return [head, ...rest, ...(options.limit ? [`| head ${options.limit}`] : [])].join('\n');
  },
  correlation: splCorrelation,
};

