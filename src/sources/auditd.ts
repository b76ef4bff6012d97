/**
 * Linux audit logs: raw `audit.log` (also the enriched format), syslog-wrapped audit records,
 * AUOMS lines, and `ausearch -i` output. Records are grouped into events (`auditd/group.ts`), normalized
 * (`auditd/normalize.ts`) with a per-input process table for parent fields (`auditd/assembler.ts`).
 * See auditd/README.md; journald's audit entries are read by journald.ts.
 *
 * Not splittable: an event spans lines and a child's parent fields come from earlier events.
 */
import { readAuditLines, type AuditAssembler } from './auditd/assembler.js';
import { isSeparator } from './auditd/interpreted.js';
import { parseRecord } from './auditd/record.js';
import { isBlank } from './lines.js';
import type { SourceReader } from './reader.js';

const FORMAT = 'auditd';
/** A record at the start of a line (raw audit.log, optionally `node=`), kernel or AUOMS header. */
const RAW_HEAD = /^(?:node=\S+ )?type=[A-Za-z0-9_]+ (?:msg=)?audit\(\d+\.\d+:\d+\)/;
/** `ausearch -i`: a local date and time instead of epoch seconds. */
const INTERPRETED_HEAD = /^(?:node=\S+ )?type=[A-Za-z0-9_]+ msg=audit\(\d{1,4}[/-]\d{1,2}[/-]\d{1,4} \d{2}:\d{2}:\d{2}\.\d+:\d+\) : /;
/** The same after a syslog header: RFC 3164 / RFC 5424 / ISO timestamp, host, tag. */
const SYSLOG_HEAD =
  /^(?:<\d+>)?(?:[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}|\d+ \S+|\d{4}-\d{2}-\d{2}T\S+) \S+ .*?(?:node=\S+ )?type=[A-Za-z0-9_]+ (?:msg=)?audit\(\d+\.\d+:\d+\)/;

export const auditdReader: SourceReader = {
  format: FORMAT,
  description: 'Linux audit logs: raw audit.log (also enriched), syslog-wrapped audit records, AUOMS lines',
  sniff(head) {
    const first = head.replace(/^\uFEFF/, '').split('\n', 8).find((line) => !isBlank(line) && !isSeparator(line));
    if (first === undefined) return 0;
    if (RAW_HEAD.test(first) || INTERPRETED_HEAD.test(first)) return 0.9;
    return SYSLOG_HEAD.test(first) ? 0.85 : 0;
  },
  read: (input, ctx) => readAuditLines(input, ctx, FORMAT, auditLine),
};

function auditLine(text: string, line: number, audit: AuditAssembler): string | undefined {
  // ausearch prints each event whole between these: the events before it are complete.
  if (isSeparator(text)) return void audit.flush();
  const record = parseRecord(text);
  if (typeof record === 'string') return record;
  audit.add(record, line);
  return undefined;
}
