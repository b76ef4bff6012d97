import type { RuleProblem } from '../sigma/index.js';
import type { UnreadableInput } from '../sources/open.js';
import type { BadRecord } from '../sources/reader.js';
import { terminalSafe } from './escape.js';

/** A bad record as the summaries list it: file, line or record, offset, format and reason. */
export function formatBad(b: BadRecord): string {
  const where = b.line !== undefined ? `:${b.line}` : b.record !== undefined ? ` record ${b.record}` : '';
  const offset = b.offset !== undefined ? ` (offset ${b.offset})` : '';
  return terminalSafe(`${b.file}${where}${offset}: ${b.format}: ${b.reason}`);
}

/** An input that could not be read at all: its path and why. */
export function formatUnreadable(u: UnreadableInput): string {
  return terminalSafe(`${u.file}: ${u.reason}`);
}

/** A rejected rule: file:line:column, reason and title. */
export function formatProblem(p: RuleProblem): string {
  const name = p.title ? ` (${p.title})` : '';
  return terminalSafe(`${p.file}:${p.line}:${p.column}: ${p.reason}${name}`);
}
