/**
 * Shared by the Elastic targets (`esql.ts`, `eql.ts`): ECS field names (pipeline `ecs`,
 * pipelines/ecs.ts), field quoting, Lucene regexes and the Windows channel of a logsource.
 */
import type { SigmaRule } from '../sigma/rule.js';
import { ConversionError, type FieldMap } from './ir.js';
import { ECS_FIELDS } from './pipelines/ecs.js';
import { WINDOWS_SERVICE_CHANNELS } from './pipelines/windows.js';
import { ownEntry } from '../own-entry.js';

export const ident = (f: string) => (/^[A-Za-z_@][\w.]*$/.test(f) ? f : `\`${f.replace(/`/g, '``')}\``);
export const CMP = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * Sigma's `re` is an unanchored search; Lucene regexes (ES|QL rlike, EQL regex) match the whole
 * value, so the pattern is wrapped in `.*…*` (a leading ^ / trailing $ drops that side).
 */
export function luceneRegex(pattern: string): string {
  const lead = pattern.startsWith('^') ? pattern.slice(1) : '.*' + pattern;
  return lead.endsWith('$') && !lead.endsWith('\\$') ? lead.slice(0, -1) : lead + '.*';
}

export function ecsFields(pipeline: string): FieldMap {
  return pipeline === 'none' ? {} : ECS_FIELDS;
}

/** A Windows logsource service → its `winlog.channel` (Winlogbeat), as the ecs_windows pipeline does. */
export function channelOf(rule: SigmaRule, pipeline: string): string | undefined {
  const service = rule.logsourceKey.service;
  if (pipeline === 'none' || service === undefined || rule.logsourceKey.product !== 'windows') return undefined;
  const channel = ownEntry(WINDOWS_SERVICE_CHANNELS, service);
  if (!channel) throw new ConversionError(`logsource service '${service}' has no winlog.channel in pipeline ${pipeline}`);
  return channel;
}
