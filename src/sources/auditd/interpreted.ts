/**
 * `ausearch -i` output (auditd's "interpreted" form, how audit logs are usually exported and
 * shared) read back into the raw form the normalizer reads:
 *
 * ```
 * ----
 * type=EXECVE msg=audit(11/28/22 06:01:53.901:5538) : argc=3 a0=sh a1=-c a2=echo "x y"
 * type=SYSCALL msg=audit(11/28/22 06:01:53.901:5538) : arch=x86_64 syscall=execve success=yes exit=0 a0=0x558e2 … uid=root … exe=/usr/bin/dash
 * ```
 *
 * - The time is `ausearch`'s `%x %T` in the exporting machine's local time zone, which the text
 *   does not say: it is read as UTC (export with `TZ=UTC ausearch -i …` for exact times). Dates
 *   as the C/en_US locale writes them (`MM/DD/YY`, `MM/DD/YYYY`) or ISO (`YYYY-MM-DD`).
 * - Strings are decoded, not quoted, and may hold spaces: a value runs to the next ` key=`.
 *   EXECVE's arguments run to the next ` aN=` only (a command line may hold ` x=`), PROCTITLE's
 *   to the end of the line (its NULs printed as spaces: split back into words); `{ … }` (saddr)
 *   to its brace.
 * - Values the normalizer reads as numbers are put back: `arch=x86_64` → its AUDIT_ARCH constant,
 *   registers `0x…` → hex, open flags `O_WRONLY|O_CREAT` → their bits, `AT_FDCWD` → ffffff9c,
 *   `exit=EINPROGRESS(…)` → -115, `saddr={ saddr_fam=inet laddr=… lport=… }` → the sockaddr's
 *   hex. User names (`uid=root`) stay names: the normalizer takes a name as it is.
 * - `----` lines separate events and are skipped (`isSeparator`).
 */
import type { AuditRecord } from './record.js';
import type { RawFields } from './kv.js';

/** `type=T msg=audit(DATE TIME.MILLIS:SERIAL) : `, after an optional `node=`. */
const HEADER = /(?:^|\s)(?:node=(\S+) )?type=([A-Za-z0-9_]+) msg=audit\((\d{1,4}[/-]\d{1,2}[/-]\d{1,4}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,9}):(\d+)\) : ?/;
/** The start of the next `key=` in an interpreted body. */
const NEXT_KEY = / (?=[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?=)/g;
const NEXT_ARG = / (?=a\d+(?:\[\d+\]|_len)?=)/g;

// Maps, not objects: the names are the log's text (`arch=toString` is no architecture).
const ARCHES = new Map([['x86_64', 'c000003e'], ['aarch64', 'c00000b7'], ['i386', '40000003'], ['i686', '40000003']]);
/** The open flags the normalizer tests (x86 and generic values agree for these). */
const OPEN_FLAGS = new Map([['O_RDONLY', 0x0], ['O_WRONLY', 0x1], ['O_RDWR', 0x2], ['O_CREAT', 0x40], ['O_EXCL', 0x80], ['O_NOCTTY', 0x100], ['O_TRUNC', 0x200], ['O_APPEND', 0x400], ['O_NONBLOCK', 0x800]]);
const ERRNO = new Map([['EINPROGRESS', '-115']]);
const REGISTERS = new Set(['a0', 'a1', 'a2', 'a3']);

export function isSeparator(line: string): boolean {
  return /^-{4,}\s*$/.test(line);
}

/** The record of an interpreted line, or undefined when the line is not in that form. */
export function parseInterpretedRecord(line: string): AuditRecord | undefined {
  const header = HEADER.exec(line);
  if (header === null) return undefined;
  const [whole, node, type, date, hh, mm, ss, fraction, serial] = header as unknown as string[];
  const day = calendarDate(date!);
  if (day === undefined) return undefined;
  const millis = Number((fraction! + '00').slice(0, 3));
  const time = Date.UTC(day.year, day.month - 1, day.day, Number(hh), Number(mm), Number(ss), millis);
  const seconds = Math.floor(time / 1000);
  const record: AuditRecord = { type: type!, time, serial: Number(serial), id: `${seconds}.${fraction}:${serial}`, fields: new Map() };
  if (node !== undefined) record.node = node;
  let body = line.slice(header.index + whole!.length);
  if (body.endsWith('\r')) body = body.slice(0, -1);
  readBody(type!, body.trimEnd(), record.fields);
  return record;
}

function calendarDate(text: string): { year: number; month: number; day: number } | undefined {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(text);
  const [year, month, day] = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : us ? [Number(us[3]), Number(us[1]), Number(us[2])] : [];
  if (year === undefined || month === undefined || day === undefined || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  // %x writes two digits: 69–99 are the 1900s as in POSIX strptime, the rest the 2000s.
  return { year: year < 100 ? (year >= 69 ? 1900 + year : 2000 + year) : year, month, day };
}

function readBody(type: string, body: string, into: RawFields): void {
  if (type === 'PROCTITLE') {
    const at = body.indexOf('proctitle=');
    // Its NULs were printed as spaces: back to the raw hex form, one argument per word.
    if (at >= 0) into.set('proctitle', { text: Buffer.from(body.slice(at + 'proctitle='.length).split(' ').join('\0')).toString('hex'), quoted: false });
    return;
  }
  for (const piece of splitBody(body, type === 'EXECVE' ? NEXT_ARG : NEXT_KEY)) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const key = piece.slice(0, eq);
    into.set(key, rawValue(type, key, piece.slice(eq + 1)));
  }
}

/** `key=value` pieces; a `{ … }` value is kept whole, spaces and `k=v` inside included. */
function splitBody(body: string, boundary: RegExp): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < body.length) {
    const eq = body.indexOf('=', start);
    let from = start;
    if (eq >= 0 && body[eq + 1] === '{') {
      const close = body.indexOf('}', eq);
      from = close < 0 ? body.length : close;
    }
    boundary.lastIndex = from;
    const next = boundary.exec(body);
    const end = next === null ? body.length : next.index;
    pieces.push(body.slice(start, end));
    start = end + 1;
  }
  return pieces;
}

function rawValue(type: string, key: string, text: string): { text: string; quoted: boolean } {
  if (type === 'SYSCALL') {
    if (key === 'arch') return { text: ARCHES.get(text) ?? text, quoted: false };
    if (key === 'exit') return { text: ERRNO.get(/^([A-Z0-9]+)\(/.exec(text)?.[1] ?? '') ?? text, quoted: false };
    if (REGISTERS.has(key)) return { text: register(text), quoted: false };
  }
  if (key === 'saddr' && text.startsWith('{')) return { text: sockaddrHex(text) ?? text, quoted: false };
  // An id without a name on the exporting machine.
  const unnamed = /^unknown\((\d+)\)$/.exec(text);
  if (unnamed) return { text: unnamed[1]!, quoted: false };
  if (text === '(null)' || text === '(none)') return { text, quoted: false };
  // Decoded strings: taken as written, never as hex (an argument `12` stays `12`).
  return { text, quoted: true };
}

function register(text: string): string {
  if (/^0x[0-9a-fA-F]+$/.test(text)) return text.slice(2);
  if (text === 'AT_FDCWD') return 'ffffff9c';
  if (/^O_[A-Z]+(\|O_[A-Z]+)*$/.test(text)) {
    const bits = text.split('|').reduce((sum, flag) => sum | (OPEN_FLAGS.get(flag) ?? 0), 0);
    return bits.toString(16);
  }
  return /^\d+$/.test(text) ? Number(text).toString(16) : text;
}

/** `{ saddr_fam=inet laddr=1.2.3.4 lport=443 }` (or inet6, or local with path) → the struct's hex. */
function sockaddrHex(text: string): string | undefined {
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/([a-z_]+)=(\S+)/g)) fields.set(m[1]!, m[2]!);
  const family = fields.get('saddr_fam');
  const port = Number(fields.get('lport'));
  const portHex = Number.isInteger(port) ? port.toString(16).padStart(4, '0') : undefined;
  const laddr = fields.get('laddr');
  if (family === 'inet' && portHex && laddr && /^\d+\.\d+\.\d+\.\d+$/.test(laddr)) {
    return `0200${portHex}${laddr.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}0000000000000000`;
  }
  if (family === 'inet6' && portHex && laddr) {
    const bytes = ipv6Bytes(laddr);
    return bytes && `0a00${portHex}00000000${bytes}00000000`;
  }
  if (family === 'local' && fields.has('path')) return `0100${Buffer.from(fields.get('path')!, 'utf8').toString('hex')}00`;
  return undefined;
}

function ipv6Bytes(text: string): string | undefined {
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const last = (tail === undefined ? left : right).at(-1);
  if (last?.includes('.')) {
    // An IPv4-mapped or -compatible tail: its four bytes are two groups.
    const octets = last.split('.').map(Number);
    const pair = [((octets[0]! << 8) | octets[1]!).toString(16), ((octets[2]! << 8) | octets[3]!).toString(16)];
    (tail === undefined ? left : right).splice(-1, 1, ...pair);
  }
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && left.length !== 8)) return undefined;
  const all = [...left, ...Array<string>(fill).fill('0'), ...right];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.map((g) => g.padStart(4, '0')).join('');
}
