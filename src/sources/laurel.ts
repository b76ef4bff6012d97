/**
 * LAUREL's JSON audit logs (the auditd plugin from threathunters-io): one JSON object per audit
 * event, `ID` its `TIME:SERIAL`, each kernel record under its type — SYSCALL, EXECVE, CWD and
 * PROCTITLE one object, PATH, SOCKADDR and every other type a list of objects — with the
 * kernel's hex-encoded strings decoded (bytes that are not printable UTF-8, `%` and `+`
 * percent-encoded), decimal numbers as JSON numbers, hex and octal as `"0x…"` and `"0o…"`
 * strings, `EXECVE.a*` as `EXECVE.ARGV` (or joined as `EXECVE.ARGV_STR`), `PROCTITLE.proctitle`
 * split into `PROCTITLE.ARGV`, SOCKADDR's `saddr` bytes percent-encoded,
 * SYSCALL's `a0`…`a3` possibly as `SYSCALL.ARGV`, and LAUREL's own enrichment in upper-case keys
 * (the parent's last exec as `SYSCALL.PPID: {EVENT_ID, comm, exe, ppid}`, older versions a
 * top-level `PARENT_INFO`; auditd's translated `ARCH`, `SYSCALL`, `UID`, … names).
 *
 * Each line is written back as the audit records it came from and normalized exactly as the
 * auditd reader normalizes them (auditd/normalize.ts, with a process table per input), so a
 * LAUREL log gives the events its audit.log gives. ParentImage comes from the parent's exec
 * earlier in the input, else from LAUREL's PPID.exe. LAUREL's other members (PPID, LABELS,
 * container information, …) are kept as fields where the event has none of the name. Not
 * splittable: the process table needs the input in order.
 */
import type { Readable } from 'node:stream';
import { type FieldValue, type Fields, type NormalizedEvent, hasField, setField } from '../events/event.js';
import type { AuditEvent } from './auditd/group.js';
import type { RawFields, RawValue } from './auditd/kv.js';
import { normalizeEvent } from './auditd/normalize.js';
import { ProcessTable } from './auditd/process-table.js';
import type { AuditRecord } from './auditd/record.js';
import { firstJsonLine } from './json-head.js';
import { isObject } from './json-util.js';
import { jsonObjectLine, readLineRecords } from './ndjson.js';
import type { ReadContext, SourceReader } from './reader.js';
import { validTime } from './time.js';

const FORMAT = 'laurel';
const EVENT_ID = /^(\d+)\.(\d{1,9}):(\d+)$/;
/** The record types LAUREL writes as one object; every other type is a list. */
const SINGLE_RECORDS = new Set(['SYSCALL', 'EXECVE', 'CWD', 'PROCTITLE']);
/** Members of a record that are the kernel's strings, whatever they look like (a process may be named `0x1f`). */
const STRING_MEMBERS = new Set(['comm', 'exe', 'name', 'cwd', 'key', 'proctitle', 'tty', 'subj', 'obj', 'dev', 'rdev']);

export const laurelReader: SourceReader = {
  format: FORMAT,
  description: "LAUREL's JSON audit logs (auditd plugin): one event per line, records under their types, strings decoded",
  sniff(head) {
    const first = firstJsonLine(head);
    if (first === undefined || typeof first.ID !== 'string' || !EVENT_ID.test(first.ID)) return 0;
    return Object.keys(first).some((key) => /^[A-Z][A-Z0-9_]+$/.test(key) && key !== 'ID' && key !== 'NODE' && (isObject(first[key]) || Array.isArray(first[key]))) ? 0.9 : 0;
  },
  read: readLaurel,
};

function readLaurel(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const table = new ProcessTable();
  return readLineRecords(input, ctx, FORMAT, (text, source) => {
    const doc = jsonObjectLine(text);
    const audit = typeof doc === 'string' ? doc : auditEvent(doc, source.line!);
    if (typeof audit === 'string') return audit;
    const { event, problem } = normalizeEvent(audit, table, source);
    // Usable, but its records were incomplete: the event is read and the problem reported.
    if (problem !== undefined) ctx.bad({ ...source, reason: problem });
    keepLaurelMembers(event, doc as Fields);
    return event;
  });
}

/** A LAUREL line as the audit event it was made of, or why it is not one. */
function auditEvent(doc: Fields, line: number): AuditEvent | string {
  const id = typeof doc.ID === 'string' ? EVENT_ID.exec(doc.ID) : null;
  if (id === null) return 'a LAUREL line has an ID of the form TIME:SERIAL';
  const time = validTime(Number(id[1]) * 1000 + Number((id[2]! + '00').slice(0, 3)));
  if (time === undefined) return `ID ${doc.ID as string}: time out of range`;
  const node = typeof doc.NODE === 'string' && doc.NODE !== '' ? doc.NODE : undefined;
  const header = { time, serial: Number(id[3]), id: `${id[1]}.${id[2]}:${id[3]}`, ...(node === undefined ? {} : { node }) };
  const records: AuditRecord[] = [];
  for (const type in doc) {
    if (!/^[A-Z][A-Z0-9_]+$/.test(type) || type === 'ID' || type === 'NODE' || type === 'PARENT_INFO') continue;
    const value = doc[type];
    const items = SINGLE_RECORDS.has(type) ? (isObject(value) ? [value] : []) : Array.isArray(value) ? value.filter(isObject) : [];
    for (const item of items) records.push({ type, ...header, fields: rawFields(type, item) });
  }
  if (records.length === 0) return `ID ${doc.ID as string}: no audit record`;
  return { id: header.id, records, line, ...(node === undefined ? {} : { node }) };
}

/** A record's members as the kernel wrote them: numbers and `0x`/`0o` values bare, strings literal, argument vectors expanded. */
function rawFields(type: string, record: Fields): RawFields {
  const fields: RawFields = new Map();
  for (const key in record) {
    const value = record[key]!;
    if (key === 'ARGV' && Array.isArray(value)) {
      if (type === 'EXECVE') value.forEach((arg, i) => fields.set(`a${i}`, literal(arg)));
      else if (type === 'PROCTITLE') fields.set('proctitle', { text: Buffer.from(value.map((arg) => decoded(arg)).join('\0'), 'latin1').toString('hex').toUpperCase(), quoted: false });
      else value.forEach((arg, i) => fields.set(`a${i}`, raw(`a${i}`, arg)));
      continue;
    }
    if (key === 'ARGV_STR' && type === 'EXECVE' && typeof value === 'string') {
      // `execve-argv = ["string"]`: the arguments joined with spaces; split again (the event's command line is this text: keepLaurelMembers).
      const args = value.split(' ');
      fields.set('argc', { text: String(args.length), quoted: false });
      args.forEach((arg, i) => fields.set(`a${i}`, literal(arg)));
      continue;
    }
    if (isObject(value) || Array.isArray(value)) continue; // LAUREL's enrichment (PPID, SADDR, LABELS): kept beside the event
    // SOCKADDR's bytes come percent-encoded; the kernel wrote them as hex.
    if (key === 'saddr' && typeof value === 'string') fields.set(key, { text: Buffer.from(decoded(value), 'latin1').toString('hex').toUpperCase(), quoted: false });
    else if (key !== 'argc' || !fields.has('argc')) fields.set(key, raw(key, value));
  }
  return fields;
}

function raw(key: string, value: FieldValue): RawValue {
  if (value === null) return { text: '(null)', quoted: false };
  if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value), quoted: false };
  if (typeof value === 'string' && !STRING_MEMBERS.has(key)) {
    if (/^0x[0-9a-fA-F]+$/.test(value)) return { text: value.slice(2), quoted: false };
    if (/^0o[0-7]+$/.test(value)) return { text: `0${value.slice(2)}`, quoted: false };
  }
  return literal(value);
}

/** A string the event holds as text (an argument, a name): percent-decoding undone. */
function literal(value: FieldValue): RawValue {
  return { text: typeof value === 'string' ? Buffer.from(decoded(value), 'latin1').toString('utf8') : JSON.stringify(value), quoted: true };
}

/** LAUREL's percent-encoding undone, as bytes in a latin1 string (`%25` is `%`, `%2B` is `+`, others are raw bytes). */
function decoded(value: FieldValue): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const bytes = Buffer.from(text, 'utf8').toString('latin1');
  return bytes.includes('%') ? bytes.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : bytes;
}

/**
 * A start's ParentImage from LAUREL's own tracking of the parent when the input holds no exec of
 * it; LAUREL's enrichment objects (PPID, LABELS, …: no kernel fields) kept beside the event.
 */
function keepLaurelMembers(event: NormalizedEvent, doc: Fields): void {
  const { fields } = event;
  const syscall = isObject(doc.SYSCALL) ? doc.SYSCALL : undefined;
  const parent = isObject(syscall?.PPID) ? (syscall!.PPID as Fields) : isObject(doc.PARENT_INFO) ? doc.PARENT_INFO : undefined;
  if (event.category === 'process_creation' && fields.ParentImage === undefined && typeof parent?.exe === 'string') fields.ParentImage = literal(parent.exe).text;
  const execve = isObject(doc.EXECVE) ? doc.EXECVE : undefined;
  if (event.category === 'process_creation' && typeof execve?.ARGV_STR === 'string') fields.CommandLine = literal(execve.ARGV_STR).text;
  if (syscall !== undefined) {
    for (const key in syscall) {
      const value = syscall[key]!;
      if ((isObject(value) || Array.isArray(value)) && key !== 'ARGV' && !hasField(fields, key)) setField(fields, key, value);
    }
  }
  if (isObject(doc.PARENT_INFO) && !hasField(fields, 'PARENT_INFO')) setField(fields, 'PARENT_INFO', doc.PARENT_INFO);
}
