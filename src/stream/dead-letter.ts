/**
 * A dead letter: the original record and headers of a message the worker could not use, with why
 * and where from, made to fit the server's max_payload. The original fitted it, but the headers
 * added here (the reason alone takes up to 1,000 characters) can push a record near the limit
 * over it, and a publish the client refuses would stop the partition at that message, again at
 * every replay. So the record is cut at its end to fit, and `Sw-Truncated` says how many bytes
 * were cut; the reason and the position are always kept. JetStream also refuses headers over
 * 64 KiB: should the original headers leave no room for these, they are dropped instead, and
 * `Sw-Headers-Dropped` says so.
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { terminalSafe } from '../outputs/escape.js';

export const TRUNCATED_HEADER = 'Sw-Truncated';
export const HEADERS_DROPPED_HEADER = 'Sw-Headers-Dropped';
/** Prefixed to an original `Nats-…` header the letter keeps. */
export const ORIGINAL_PREFIX = 'Sw-Original-';
/** The header the JetStream client sets from `msgID`: set here too, so that it is measured. */
const MSG_ID_HEADER = 'Nats-Msg-Id';
const MAX_REASON_CHARS = 1000;
/** nats-server refuses to store a message whose headers are longer ("header size exceeds maximum allowed of 64k"). */
const MAX_HEADER_BYTES = 65_535;

export interface Undeliverable {
  data: Uint8Array;
  headers?: MsgHdrs;
  subject: string;
}

export interface DeadLetterPlace {
  reason: string;
  stream: string;
  seq: number;
  partition: number;
  msgID: string;
}

export interface Letter {
  data: Uint8Array;
  headers: MsgHdrs;
}

export function deadLetter(msg: Undeliverable, place: DeadLetterPlace, maxPayload: number): Letter {
  const letter = fitted(msg.data, letterHeaders(msg, place, true), maxPayload);
  if (letter) return letter;
  const h = letterHeaders(msg, place, false);
  h.set(HEADERS_DROPPED_HEADER, `${msg.headers ? [...msg.headers].length : 0} original header(s) did not fit beside these`);
  // What is added here is a few kilobytes at most: only a server whose max_payload is smaller
  // (too small for the worker's checkpoints anyway) leaves no room for it; the record is left out.
  return fitted(msg.data, h, maxPayload) ?? { data: msg.data.subarray(0, 0), headers: h };
}

/** The record beside the headers, cut at its end if it must be; undefined when the headers alone do not fit. */
function fitted(data: Uint8Array, h: MsgHdrs, maxPayload: number): Letter | undefined {
  if (encodedLength(h) > MAX_HEADER_BYTES) return undefined;
  const room = () => maxPayload - encodedLength(h);
  if (data.length <= room()) return { data, headers: h };
  const marker = (cut: number) => `${cut} of ${data.length} bytes cut`;
  // Measured with the marker at its longest: the final one has no more digits.
  h.set(TRUNCATED_HEADER, marker(data.length));
  const keep = room();
  if (keep < 0) return undefined;
  h.set(TRUNCATED_HEADER, marker(data.length - keep));
  return { data: data.subarray(0, keep), headers: h };
}

/** The size of the headers on the wire, as the client writes them (`NATS/1.0`, a line per value, a blank line). */
function encodedLength(h: MsgHdrs): number {
  let bytes = 'NATS/1.0'.length + 4;
  for (const [key, values] of h) for (const v of values) bytes += Buffer.byteLength(`\r\n${key}: ${v}`);
  return bytes;
}

function letterHeaders(msg: Undeliverable, place: DeadLetterPlace, withOriginal: boolean): MsgHdrs {
  const h = headers();
  // The original's own NATS control headers (Nats-Expected-Stream, Nats-Rollup, …) would have the
  // dead-letter stream refuse the letter: they are kept under another name, as information.
  if (withOriginal) for (const [key, values] of msg.headers ?? []) for (const v of values) h.append(/^nats-/i.test(key) ? `${ORIGINAL_PREFIX}${key}` : key, v);
  // A header value cannot hold a line break (the client throws), and reasons quote records.
  h.set('Sw-Reason', terminalSafe(place.reason).slice(0, MAX_REASON_CHARS));
  h.set('Sw-Stream', place.stream);
  h.set('Sw-Stream-Seq', String(place.seq));
  h.set('Sw-Subject', msg.subject);
  h.set('Sw-Partition', String(place.partition));
  h.set(MSG_ID_HEADER, place.msgID);
  return h;
}
