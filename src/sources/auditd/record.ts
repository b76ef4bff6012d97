/**
 * One audit record line → its header (type, time, serial, node) and raw fields.
 *
 * Accepted shapes (the header regex finds the record wherever the line's prefix ends):
 * - raw `audit.log`: `[node=HOST ]type=SYSCALL msg=audit(1604994496.155:92733): k=v …`
 * - the enriched log format: the same, then `\x1d` and `AUID="root" UID="root" …` (upper-case keys,
 *   kept in the same map: they never collide with the kernel's lower-case keys);
 * - syslog-wrapped: `Nov 10 07:48:12 host audispd: node=host type=… msg=audit(…): …` (RFC 3164,
 *   RFC 5424 or ISO-timestamp headers; the syslog host is used when there is no `node=`);
 * - kernel console form `audit: type=1300 audit(…): …` (numeric types are named);
 * - AUOMS: `type=AUOMS_EXECVE audit(…): …`, whose `cmdline=`/`proctitle=` values are neither
 *   quoted safely nor hex: they run to the trailing `redactors=`/`containerid=` fields;
 * - `ausearch -i` output (`msg=audit(11/28/22 06:01:53.901:5538) : …`): interpreted.ts.
 */
import { validTime } from '../time.js';
import { parseInterpretedRecord } from './interpreted.js';
import { parseKeyValues, type RawFields } from './kv.js';

export interface AuditRecord {
  type: string;
  /** Epoch milliseconds from `audit(SECONDS.MILLIS:SERIAL)`. */
  time: number;
  serial: number;
  /** `TIME:SERIAL` as written: with the node, the identity of the event the record belongs to. */
  id: string;
  node?: string;
  fields: RawFields;
}

const HEADER = /(?:^|\s)(?:node=(\S+) )?type=([A-Za-z0-9_]+) (?:msg=)?audit\((\d+)\.(\d{1,9}):(\d+)\):? ?/;
const SYSLOG_HOST = [
  /^(?:<\d+>)?[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} (\S+) /, // RFC 3164
  /^<\d+>\d+ \S+ (\S+) /, // RFC 5424
  /^\d{4}-\d{2}-\d{2}T\S+ (\S+) /, // rsyslog high-precision timestamps
];

/** Numeric types as printed by the kernel console form (`audit: type=1300`); a Map: the type is the log's text. */
const NUMERIC_TYPES = new Map([
  ['1300', 'SYSCALL'], ['1302', 'PATH'], ['1305', 'CONFIG_CHANGE'], ['1306', 'SOCKADDR'], ['1307', 'CWD'], ['1309', 'EXECVE'],
  ['1320', 'EOE'], ['1321', 'BPRM_FCAPS'], ['1327', 'PROCTITLE'],
]);

const ENRICHED_SEPARATOR = '\x1d';
/** AUOMS free-text values and the fields that always follow them. */
const AUOMS_FREE_TEXT = ['cmdline', 'proctitle'] as const;
const AUOMS_TRAILERS = [' redactors=', ' containerid='] as const;

/** The record, or the reason the line is not one. */
export function parseRecord(line: string): AuditRecord | string {
  const header = HEADER.exec(line);
  if (header === null) return parseInterpretedRecord(line) ?? 'not an audit record (no type=… msg=audit(TIME:SERIAL))';
  const [whole, nodeField, rawType, seconds, fraction, serial] = header as unknown as string[];
  const type = NUMERIC_TYPES.get(rawType!) ?? rawType!;
  const bodyStart = header.index + whole!.length;
  const millis = Number((fraction! + '00').slice(0, 3));
  const time = validTime(Number(seconds) * 1000 + millis);
  if (time === undefined) return `audit(${seconds}.${fraction}:${serial}): time out of range`;
  const record: AuditRecord = {
    type,
    time,
    serial: Number(serial),
    id: `${seconds}.${fraction}:${serial}`,
    fields: new Map(),
  };
  const node = nodeField ?? (header.index > 0 ? syslogHost(line.slice(0, header.index + 1)) : undefined);
  if (node !== undefined) record.node = node;

  let body = line.endsWith('\r') ? line.slice(bodyStart, -1) : line.slice(bodyStart);
  const enrichedAt = body.indexOf(ENRICHED_SEPARATOR);
  let enriched: string | undefined;
  if (enrichedAt >= 0) {
    enriched = body.slice(enrichedAt + 1);
    body = body.slice(0, enrichedAt);
  }
  if (type.startsWith('AUOMS_')) body = takeAuomsFreeText(body, record.fields);
  const error = parseKeyValues(body, record.fields);
  if (error !== undefined) return `truncated record: ${error}`;
  if (enriched !== undefined) {
    const enrichedError = parseKeyValues(enriched, record.fields);
    if (enrichedError !== undefined) return `truncated record: ${enrichedError}`;
  }
  return record;
}

function syslogHost(prefix: string): string | undefined {
  for (const re of SYSLOG_HOST) {
    const m = re.exec(prefix);
    if (m !== null) return m[1];
  }
  return undefined;
}

/** Removes AUOMS's `cmdline=`/`proctitle=` from the body into `fields`; returns the rest. */
function takeAuomsFreeText(body: string, fields: RawFields): string {
  for (const key of AUOMS_FREE_TEXT) {
    const at = body.indexOf(` ${key}=`);
    if (at < 0) continue;
    let end = body.length;
    for (const trailer of AUOMS_TRAILERS) {
      const t = body.indexOf(trailer, at + key.length + 2);
      if (t >= 0 && t < end) end = t;
    }
    let text = body.slice(at + key.length + 2, end);
    if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
    fields.set(key, { text, quoted: true });
    body = body.slice(0, at) + body.slice(end);
  }
  return body;
}
