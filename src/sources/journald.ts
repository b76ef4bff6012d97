/**
 * The systemd journal as `journalctl -o json` exports it: one JSON object per line, every entry
 * with journald's `__CURSOR` and `__REALTIME_TIMESTAMP`.
 *
 * - Entries of the audit transport (`_TRANSPORT=audit`: journald reads the kernel's audit records
 *   itself, where no auditd runs and beside it) are read as the audit.log lines they came from
 *   (auditd/journal.ts), grouped into events and normalized as the auditd reader's: product
 *   linux, service auditd, process_creation for an execve with its command line and parent.
 * - Every other entry is read as the sysmon-linux-syslog reader reads a JSON line: the Sysmon for
 *   Linux event its MESSAGE holds, else an event of service syslog with the entry's fields.
 *
 * Not splittable: an audit event spans entries and a child's parent fields come from earlier ones.
 */
import type { NormalizedEvent, Provenance } from '../events/event.js';
import { readAuditLines, type AuditAssembler } from './auditd/assembler.js';
import { journalAuditLine } from './auditd/journal.js';
import { parseRecord } from './auditd/record.js';
import { jsonLineHead } from './json-head.js';
import { jsonObjectLine } from './ndjson.js';
import type { SourceReader } from './reader.js';
import { jsonRecordEvent } from './sysmon-linux-syslog.js';

const FORMAT = 'journald';

export const journaldReader: SourceReader = {
  format: FORMAT,
  description: 'systemd journal exported with journalctl -o json: audit records (grouped as auditd\'s), Sysmon for Linux and other entries',
  sniff(head) {
    const first = jsonLineHead(head);
    if (first === undefined) return 0;
    // journalctl writes both in every entry, whatever --output-fields selects.
    return typeof first.members.__CURSOR === 'string' && typeof first.members.__REALTIME_TIMESTAMP === 'string' ? 0.9 : 0;
  },
  read: (input, ctx) => readAuditLines(input, ctx, FORMAT, (text, line, audit, emit) => readEntry(text, { file: ctx.file, format: FORMAT, line }, audit, emit)),
};

/** Reads one entry into `records` or `emit`; the reason when it is a bad record. */
function readEntry(text: string, source: Provenance, records: AuditAssembler, emit: (event: NormalizedEvent) => void): string | undefined {
  const entry = jsonObjectLine(text);
  if (typeof entry === 'string') return entry;
  const auditLine = journalAuditLine(entry);
  if (auditLine === undefined) {
    const event = jsonRecordEvent(entry, source);
    if (typeof event === 'string') return event;
    emit(event);
    return undefined;
  }
  if ('problem' in auditLine) return auditLine.problem;
  const record = parseRecord(auditLine.line);
  if (typeof record === 'string') return record;
  records.add(record, source.line!);
  return undefined;
}
