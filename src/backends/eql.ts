/**
 * `eql`: Elastic EQL over ECS fields (pipeline `ecs`) or unmapped names (`none`).
 *
 * Case policy: `:` and `like~` are case-insensitive (Sigma's default); `|cased` uses `==` / `like`.
 * EQL wildcards have no escape, so a literal `*` or `?` in a value is not expressible; a missing
 * field is tested with `?F == null`. Regexes: `regex` / `regex~` (for `|i`) with a Lucene regex
 * (whole value). Keywords and field references are not expressible; correlations only as
 * `sequence` (temporal_ordered).
 */
import type { ValueTest } from '../sigma/modifiers.js';
import type { SigmaRule } from '../sigma/rule.js';
import { WILDCARD_MULTI, WILDCARD_SINGLE, type SigmaString } from '../sigma/sigma-string.js';
import { TextBackend, unsupported, type Tokens } from './base.js';
import type { Correlation } from './correlation.js';
import { CMP, channelOf, ecsFields, ident, luceneRegex } from './elastic.js';
import { ConversionError, type Group } from './ir.js';
import { ECS_KEYWORD_NUMBERS, EQL_CATEGORIES } from './pipelines/ecs.js';
import { dq } from './quoting.js';
import { shapeOf } from './strings.js';
import type { Backend, ConvertOptions } from './target.js';
import { ownEntry } from '../own-entry.js';

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
    const same = this.sameFieldStrings(e);
    return same ? `${ident(same.field)} like~ (${same.values.map((v) => dq(eqlGlob(v))).join(', ')})` : undefined;
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
        return ECS_KEYWORD_NUMBERS.has(field) ? `${f}==${dq(String(t.value))}` : `${f}==${t.value}`;
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

function eqlRule(rule: SigmaRule, options: ConvertOptions): string {
  const cat = options.pipeline === 'none' ? 'any' : (ownEntry(EQL_CATEGORIES, rule.logsourceKey.category ?? '') ?? 'any');
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

export const eqlBackend: Backend = {
  name: 'eql',
  description: 'Elastic EQL, ECS field names',
  pipelines: ['ecs', 'none'],
  rule: eqlRule,
  correlation: eqlCorrelation,
};
