/**
 * One telemetry message: a normalized event as `publish` sends it (`Sw-Format: normalized`, the
 * JSON `dump` prints, provenance included), or raw records in a format a reader knows (named by
 * `Sw-Format`, or sniffed), as Vector or Fluent Bit send them.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { serializeEvent, type NormalizedEvent, type Provenance } from '../events/event.js';
import { sniffFormat, SNIFF_BYTES } from '../sources/open.js';
import { READERS } from '../sources/registry.js';
import { isObject } from '../sources/json-util.js';
import { parseTime } from '../sources/time.js';
import { TIME_KEYS as DEFENDER_TIME_KEYS } from '../sources/defender.js';
import { TIME_KEYS as OTRF_TIME_KEYS } from '../sources/otrf.js';
import { TIME_KEYS as SIGMA_TIME_KEYS } from '../sources/sigma-ndjson.js';
import { JOURNAL_TIME_KEYS, TIME_KEYS as SYSLOG_TIME_KEYS } from '../sources/sysmon-linux-syslog.js';

export const FORMAT_HEADER = 'Sw-Format';
/** For raw records: the file (or feed) name their provenance gives, instead of `nats:STREAM`. */
export const SOURCE_HEADER = 'Sw-Source';
export const NORMALIZED = 'normalized';

export interface Outgoing {
  payload: string;
  headers: MsgHdrs;
  /** `Nats-Msg-Id`: a publish retried after a lost acknowledgement is stored once. */
  msgID: string;
}

export function encodeEvent(event: NormalizedEvent): Outgoing {
  const h = headers();
  h.set(FORMAT_HEADER, NORMALIZED);
  const { file, format, line, record, offset } = event.source;
  const msgID = 'ev-' + createHash('sha256').update(JSON.stringify([file, format, line ?? null, record ?? null, offset ?? null])).digest('hex').slice(0, 24);
  return { payload: JSON.stringify(serializeEvent(event)), headers: h, msgID };
}

export interface Incoming {
  data: Uint8Array;
  headers?: MsgHdrs;
  /** Stream sequence: the provenance of raw records (their place in the stream). */
  seq: number;
  stream: string;
}

/**
 * The events of a message, and why it goes to the dead letters when it does: none usable, or
 * records a reader refused beside those it read (the good ones are detected all the same).
 */
export interface Decoded {
  events: NormalizedEvent[];
  bad?: string;
}

/** A normalized event is decoded at once (the hot path); raw records go through their reader's stream. */
export function decodeMessage(msg: Incoming): Decoded | Promise<Decoded> {
  const format = msg.headers?.get(FORMAT_HEADER) || undefined;
  return format === NORMALIZED ? decodeNormalized(msg.data) : decodeRaw(msg, format);
}

async function decodeRaw(msg: Incoming, format: string | undefined): Promise<Decoded> {
  const bytes = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
  const data = format === undefined ? (fluentBitRecords(bytes) ?? bytes) : bytes;
  const reader = format !== undefined ? READERS.find((r) => r.format === format) : sniffFormat(data.toString('utf8', 0, SNIFF_BYTES));
  if (reader === undefined) return { events: [], bad: format !== undefined ? `unknown ${FORMAT_HEADER} '${format}'` : 'unrecognized format; set the Sw-Format header' };
  if (reader.readsFile) return { events: [], bad: `${reader.format} is read from files only, not from messages` };
  const file = msg.headers?.get(SOURCE_HEADER) || `nats:${msg.stream}`;
  const problems: string[] = [];
  const events: NormalizedEvent[] = [];
  try {
    for await (const batch of reader.read(Readable.from([data]), { file, bad: (b) => problems.push(b.reason) })) events.push(...batch);
  } catch (err) {
    problems.push(`reader failed: ${(err as Error).message}`);
  }
  if (events.length === 0) return { events, bad: `${reader.format}: ${problems.length > 0 ? problems.join('; ') : 'no event in the message'}` };
  // The record's place in the stream is its identity: the same message replayed gives the same alert ids.
  events.forEach((event, i) => (event.source = { file, format: reader.format, record: msg.seq, ...(events.length > 1 ? { line: i + 1 } : {}) }));
  return problems.length > 0 ? { events, bad: `${reader.format}: ${problems.join('; ')}` } : { events };
}

function decodeNormalized(data: Uint8Array): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (err) {
    return { events: [], bad: `normalized: not JSON: ${(err as Error).message}` };
  }
  if (!isObject(value) || !isObject(value.fields) || !isObject(value.source)) return { events: [], bad: 'normalized: not an event (an object with fields and source)' };
  const source = value.source;
  if (typeof source.file !== 'string' || typeof source.format !== 'string') return { events: [], bad: 'normalized: source has no file and format' };
  const event: NormalizedEvent = { fields: value.fields, source: source as unknown as Provenance };
  if (value.time !== undefined) {
    const time = parseTime(value.time);
    if (time === undefined) return { events: [], bad: `normalized: time is not a time: ${JSON.stringify(value.time).slice(0, 80)}` };
    event.time = time;
  }
  for (const key of ['category', 'product', 'service', 'host', 'user'] as const) {
    const v = value[key];
    if (typeof v === 'string') event[key] = v;
  }
  return { events: [event] };
}

/**
 * Fluent Bit's NATS output sends each flush as one JSON array of `[UNIX_TIMESTAMP, {record}]`
 * pairs: the records as NDJSON, for the readers to sniff and read (the flush time becomes
 * `@timestamp` where a record has no time field of its own). Undefined for anything else.
 */
function fluentBitRecords(data: Buffer): Buffer | undefined {
  if (data[0] !== 0x5b /* [ */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const lines: string[] = [];
  for (const entry of value) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'number' || !isObject(entry[1])) return undefined;
    const record = entry[1];
    const timed = TIME_FIELDS.some((key) => record[key] !== undefined) ? record : { ...record, '@timestamp': new Date(entry[0] * 1000).toISOString() };
    lines.push(JSON.stringify(timed));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/**
 * A record with any field a JSON reader takes its time from keeps its own time: `@timestamp`,
 * added, would come first for some (otrf reads it before an Azure row's TimeGenerated).
 */
const TIME_FIELDS = [...new Set<string>([...SIGMA_TIME_KEYS, ...OTRF_TIME_KEYS, ...SYSLOG_TIME_KEYS, ...JOURNAL_TIME_KEYS, ...DEFENDER_TIME_KEYS, '@timestamp'])];
