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
import { type FieldValue, type Fields, hasField, setField } from '../../events/event.js';
import { decodeUntrusted } from './decode.js';
import type { RawValue } from './kv.js';
import type { AuditRecord } from './record.js';

const REGISTER = /^a[0-3]$/;
const UNTRUSTED = new Set(['exe', 'comm', 'cwd', 'name', 'cmd', 'acct', 'path', 'ocomm', 'data']);

/**
 * Adds the raw fields to `into` (the event's Sigma fields, built first), never replacing a key it
 * already has: the Sigma names win over a raw field of the same name, and come first.
 */
export function flattenRecords(records: readonly AuditRecord[], argv: readonly string[] | undefined, into: Fields): void {
  const types: string[] = [];
  for (const r of records) if (!types.includes(r.type)) types.push(r.type);
  put(into, 'type', types.length === 1 ? types[0]! : types);
  if (argv !== undefined) {
    put(into, 'argc', argv.length);
    for (let i = 0; i < argv.length; i++) put(into, `a${i}`, argv[i]!);
  }
  // Type by type, in the order the types first appear.
  for (const type of types) {
    if (type === 'EXECVE') continue;
    const skipRegisters = argv !== undefined && type === 'SYSCALL';
    let only: AuditRecord | undefined;
    let repeats = false;
    for (const r of records) {
      if (r.type !== type) continue;
      if (only === undefined) only = r;
      else repeats = true;
    }
    if (!repeats) {
      for (const [key, raw] of only!.fields) {
        if (hasField(into, key) || (skipRegisters && REGISTER.test(key))) continue;
        const value = fieldValue(key, raw, type);
        if (value !== undefined) setField(into, key, value);
      }
      continue;
    }
    const lists = new Map<string, FieldValue[]>();
    for (const r of records) {
      if (r.type !== type) continue;
      for (const [key, raw] of r.fields) {
        if (skipRegisters && REGISTER.test(key)) continue;
        const value = fieldValue(key, raw, type);
        if (value === undefined) continue;
        const list = lists.get(key);
        if (list === undefined) lists.set(key, [value]);
        else list.push(value);
      }
    }
    for (const [key, list] of lists) put(into, key, list.length === 1 ? list[0]! : list);
  }
}

function put(into: Fields, key: string, value: FieldValue): void {
  if (!hasField(into, key)) setField(into, key, value);
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
