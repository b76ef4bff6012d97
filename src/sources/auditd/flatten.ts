/**
 * An event's records → the raw fields every normalized auditd event keeps, so rules written
 * against auditd names (SigmaHQ `service: auditd` rules: `type`, `a0`, `exe`, `key`, `name`, …) work:
 * - `type`: the record types of the event (a list: a rule's `type: EXECVE` matches any element);
 * - EXECVE's decoded arguments `argc`, `a0`…`aN` (the `aN_len`/`aN[i]` pieces joined) replace
 *   SYSCALL's `a0`…`a3` register values (pointers, of no use to a rule, and misleading beside argv);
 * - other records' fields in record order; a key already set by an earlier record type is not
 *   overwritten; records of one type that repeat (PATH) give lists in record order;
 * - untrusted strings (exe, comm, cwd, name, key, …) are decoded from hex; `(null)` is absent;
 *   `proctitle` is decoded and its NUL separators become spaces; `key` with several keys (hex with
 *   `\x01` separators) becomes a list.
 */
import type { FieldValue, Fields } from '../../events/event.js';
import { decodeUntrusted } from './decode.js';
import type { RawValue } from './kv.js';
import type { AuditRecord } from './record.js';

const REGISTER = /^a[0-3]$/;
const UNTRUSTED = new Set(['exe', 'comm', 'cwd', 'name', 'cmd', 'acct', 'path', 'ocomm', 'data']);

export function flattenRecords(records: readonly AuditRecord[], argv: readonly string[] | undefined): Fields {
  const fields: Fields = {};
  const types: string[] = [];
  for (const r of records) if (!types.includes(r.type)) types.push(r.type);
  fields.type = types.length === 1 ? types[0]! : types;
  if (argv !== undefined) {
    fields.argc = argv.length;
    for (let i = 0; i < argv.length; i++) fields[`a${i}`] = argv[i]!;
  }
  const byType = new Map<string, Map<string, FieldValue[]>>();
  for (const record of records) {
    if (record.type === 'EXECVE') continue;
    let values = byType.get(record.type);
    if (values === undefined) byType.set(record.type, (values = new Map()));
    for (const [key, raw] of record.fields) {
      if (argv !== undefined && record.type === 'SYSCALL' && REGISTER.test(key)) continue;
      const value = fieldValue(key, raw, record.type);
      if (value === undefined) continue;
      const list = values.get(key);
      if (list === undefined) values.set(key, [value]);
      else list.push(value);
    }
  }
  for (const values of byType.values()) {
    for (const [key, list] of values) {
      if (key in fields) continue;
      fields[key] = list.length === 1 ? list[0]! : list;
    }
  }
  return fields;
}

function fieldValue(key: string, raw: RawValue, type: string): FieldValue | undefined {
  if (key === 'proctitle') {
    if (type.startsWith('AUOMS_')) return raw.text; // AUOMS writes it as plain text
    const text = decodeUntrusted(raw);
    return text?.replaceAll('\0', ' ').trimEnd();
  }
  if (key === 'key') {
    const text = decodeUntrusted(raw);
    if (text === undefined) return undefined;
    return text.includes('\x01') ? text.split('\x01') : text;
  }
  if (UNTRUSTED.has(key)) return decodeUntrusted(raw);
  return raw.text;
}
