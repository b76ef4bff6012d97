/**
 * Audit records as systemd-journald stores them, exported with `journalctl -o json`: journald
 * reads the kernel's audit netlink socket itself (where no auditd runs, or beside it), one journal
 * entry per record (systemd's src/journal/journald-audit.c):
 *
 *   {"_TRANSPORT":"audit","_AUDIT_TYPE":"1300","_AUDIT_TYPE_NAME":"SYSCALL","_AUDIT_ID":"216379",
 *    "_SOURCE_REALTIME_TIMESTAMP":"1796693075852000","_HOSTNAME":"vm",
 *    "MESSAGE":"SYSCALL arch=c000003e syscall=59 success=yes … comm=\"sh\" exe=\"/usr/bin/dash\" …", …}
 *
 * MESSAGE is the record's type name, a space and the record's text after `audit(…): `; the
 * record's time stamp (seconds and milliseconds) is the entry's source time in microseconds, its
 * serial `_AUDIT_ID`. Records with no text (EOE) are not stored. Each entry is written back as
 * the audit.log line it came from, `node=` the entry's host, and read as one. So are the records
 * the kernel printed to its own log, which journald keeps as kernel messages (kernelAuditLine).
 */
import type { Fields } from '../../events/event.js';

/** The audit.log line of a journal entry from the audit transport, or why it cannot be one; undefined for other entries. */
export function journalAuditLine(entry: Fields): { line: string } | { problem: string } | undefined {
  if (entry._TRANSPORT === 'kernel') return kernelAuditLine(entry);
  if (entry._TRANSPORT !== 'audit') return undefined;
  const message = journalText(entry.MESSAGE);
  const serial = journalText(entry._AUDIT_ID);
  const micros = journalText(entry._SOURCE_REALTIME_TIMESTAMP);
  if (message === undefined || serial === undefined || !/^\d+$/.test(serial) || micros === undefined || !/^\d+$/.test(micros)) {
    return { problem: 'journal entry of the audit transport without MESSAGE, _AUDIT_ID or _SOURCE_REALTIME_TIMESTAMP' };
  }
  const space = message.indexOf(' ');
  const type = journalText(entry._AUDIT_TYPE_NAME) ?? (space < 0 ? message : message.slice(0, space));
  const body = message.startsWith(`${type} `) ? message.slice(type.length + 1) : message === type ? '' : message;
  if (!/^[A-Za-z0-9_]+$/.test(type)) return { problem: `journal entry of the audit transport with an unreadable type: ${JSON.stringify(type.slice(0, 40))}` };
  const padded = micros.padStart(7, '0');
  const seconds = padded.slice(0, -6);
  const millis = padded.slice(-6, -3);
  return { line: `${nodeOf(entry)}type=${type} msg=audit(${seconds}.${millis}:${serial}): ${body}` };
}

/**
 * Where journald does not read the audit socket and no auditd runs, the kernel prints each record
 * to its log (`audit: type=1300 audit(1700000000.100:500): arch=…`, record.ts reads the numeric
 * type), which journald keeps as a kernel message.
 */
function kernelAuditLine(entry: Fields): { line: string } | undefined {
  const message = journalText(entry.MESSAGE);
  if (message === undefined || !KERNEL_AUDIT.test(message)) return undefined;
  return { line: `${nodeOf(entry)}${message.slice('audit: '.length)}` };
}

const KERNEL_AUDIT = /^audit: type=\d+ audit\(\d+\.\d+:\d+\)/;

function nodeOf(entry: Fields): string {
  const host = journalText(entry._HOSTNAME);
  return host !== undefined && /^\S+$/.test(host) ? `node=${host} ` : '';
}

/**
 * A journal field's text: `journalctl -o json` writes a value that is not printable UTF-8 as an
 * array of its bytes, and a field an entry holds more than once as an array of its values (the
 * first is taken).
 */
function journalText(value: Fields[string] | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < 256)) return Buffer.from(value as number[]).toString('utf8');
    return journalText(value[0]);
  }
  return undefined;
}
