/**
 * EVTX value types → the representation evtx_dump (the Rust `evtx` crate) gives them in JSON, so
 * events read from `.evtx` equal those read from its JSON rendering: integers and bool as JSON
 * numbers/booleans, reals as text in shortest round-trip form, FILETIME/SYSTEMTIME as
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ`, GUID as upper-case hex without braces, SID as `S-1-…`, binary as
 * upper-case hex, hex32/hex64 and size_t as `0x` + lower-case hex without padding, arrays as their
 * items joined with `,`.
 */
import { EvtxError, need } from './errors.js';

export const ValueType = {
  Null: 0x00,
  String: 0x01,
  AnsiString: 0x02,
  Int8: 0x03,
  UInt8: 0x04,
  Int16: 0x05,
  UInt16: 0x06,
  Int32: 0x07,
  UInt32: 0x08,
  Int64: 0x09,
  UInt64: 0x0a,
  Real32: 0x0b,
  Real64: 0x0c,
  Bool: 0x0d,
  Binary: 0x0e,
  Guid: 0x0f,
  SizeT: 0x10,
  FileTime: 0x11,
  SysTime: 0x12,
  Sid: 0x13,
  HexInt32: 0x14,
  HexInt64: 0x15,
  EvtHandle: 0x20,
  BinXml: 0x21,
  EvtXml: 0x23,
  ArrayFlag: 0x80,
} as const;

/** Bytes per item of the fixed-size types; types not listed have a variable size. */
const FIXED_SIZE: Record<number, number> = {
  [ValueType.Int8]: 1, [ValueType.UInt8]: 1, [ValueType.Int16]: 2, [ValueType.UInt16]: 2,
  [ValueType.Int32]: 4, [ValueType.UInt32]: 4, [ValueType.Int64]: 8, [ValueType.UInt64]: 8,
  [ValueType.Real32]: 4, [ValueType.Real64]: 8, [ValueType.Bool]: 4, [ValueType.Guid]: 16,
  [ValueType.FileTime]: 8, [ValueType.SysTime]: 16, [ValueType.HexInt32]: 4, [ValueType.HexInt64]: 8,
};

/** What a decoded value is: evtx_dump's JSON scalar for it (null: no value). */
export type Scalar = string | number | boolean | null;

const TWO_32 = 4294967296;

/**
 * Buffer's own decoders, which `toString(encoding, start, end)` reaches after checking its
 * arguments and looking the encoding up: called directly for the many short values (the bounds
 * are checked before, by `need`, or fixed). Present on every Node Buffer, absent from the typings.
 */
export interface BufferDecoders {
  ucs2Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
export const decoders = (b: Buffer): BufferDecoders => b as unknown as BufferDecoders;
const ansi = new TextDecoder('windows-1252');

/**
 * The value of type `type` stored in `b[at, at + size)`. `null` for the null type and for empty
 * data (an absent optional value). BinXml (0x21) is not a scalar: the caller handles it.
 */
export function decodeValue(b: Buffer, type: number, at: number, size: number): Scalar {
  need(at, size, b.length, 'value');
  if (type === ValueType.Null || size === 0) return null;
  if (type & ValueType.ArrayFlag) return decodeArray(b, type & 0x7f, at, size);
  switch (type) {
    case ValueType.String:
      return utf16z(b, at, at + size);
    case ValueType.AnsiString: {
      let end = b.indexOf(0, at);
      if (end === -1 || end > at + size) end = at + size;
      return ansi.decode(b.subarray(at, end));
    }
    case ValueType.Binary:
      return b.toString('hex', at, at + size).toUpperCase();
    case ValueType.Sid:
      return sid(b, at, size);
    case ValueType.SizeT:
      if (size === 4) return hex32(b.readUInt32LE(at));
      fixed(type, size, 8);
      return hex64(b, at);
    default: {
      const itemSize = FIXED_SIZE[type];
      if (itemSize === undefined) throw new EvtxError(`unsupported value type 0x${type.toString(16)}`, at);
      fixed(type, size, itemSize);
      return scalar(b, type, at);
    }
  }
}

function fixed(type: number, size: number, expected: number): void {
  if (size !== expected) throw new EvtxError(`value of type 0x${type.toString(16)} has size ${size}, expected ${expected}`);
}

/** One fixed-size item at `at` (size already checked). */
function scalar(b: Buffer, type: number, at: number): Scalar {
  switch (type) {
    case ValueType.Int8: return b.readInt8(at);
    case ValueType.UInt8: return b[at];
    case ValueType.Int16: return b.readInt16LE(at);
    case ValueType.UInt16: return b.readUInt16LE(at);
    case ValueType.Int32: return b.readInt32LE(at);
    case ValueType.UInt32: return b.readUInt32LE(at);
    // 64-bit integers become doubles, exactly as JSON.parse turns evtx_dump's digits into one.
    case ValueType.Int64: return b.readInt32LE(at + 4) * TWO_32 + b.readUInt32LE(at);
    case ValueType.UInt64: return b.readUInt32LE(at + 4) * TWO_32 + b.readUInt32LE(at);
    case ValueType.Real32: return String(shortestFloat32(b.readFloatLE(at)));
    case ValueType.Real64: return String(b.readDoubleLE(at));
    case ValueType.Bool: return b.readInt32LE(at) !== 0;
    case ValueType.Guid: return guid(b, at);
    case ValueType.FileTime: return fileTime(b.readUInt32LE(at), b.readUInt32LE(at + 4));
    case ValueType.SysTime: return sysTime(b, at);
    case ValueType.HexInt32: return hex32(b.readUInt32LE(at));
    case ValueType.HexInt64: return hex64(b, at);
    default: throw new EvtxError(`unsupported value type 0x${type.toString(16)}`, at);
  }
}

/** Arrays: NUL-separated UTF-16 strings, or consecutive fixed-size items; rendered joined by `,`. */
function decodeArray(b: Buffer, type: number, at: number, size: number): string {
  const items: string[] = [];
  if (type === ValueType.String) {
    const text = b.toString('utf16le', at, at + (size & ~1));
    const parts = text.split('\0');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts.join(',');
  }
  const itemSize = FIXED_SIZE[type];
  if (itemSize === undefined) throw new EvtxError(`unsupported array value type 0x${(type | 0x80).toString(16)}`, at);
  if (size % itemSize !== 0) throw new EvtxError(`array of type 0x${(type | 0x80).toString(16)} has size ${size}, not a multiple of ${itemSize}`, at);
  for (let p = at; p < at + size; p += itemSize) items.push(String(scalar(b, type, p)));
  return items.join(',');
}

/** UTF-16LE text, cut at the first NUL (values often carry their terminator). */
export function utf16z(b: Buffer, start: number, end: number): string {
  let stop = start + ((end - start) & ~1);
  // Short strings (most values): a loop costs less than Buffer#toString's call into C++ (and up
  // to 12 characters V8 keeps the result flat).
  if (stop - start <= 24) {
    let text = '';
    for (let p = start; p < stop; p += 2) {
      const c = b[p] | (b[p + 1] << 8);
      if (c === 0) break;
      text += String.fromCharCode(c);
    }
    return text;
  }
  // The usual terminator is left out before decoding rather than sliced off after.
  if (b[stop - 1] === 0 && b[stop - 2] === 0) stop -= 2;
  const text = decoders(b).ucs2Slice(start, stop);
  const nul = text.indexOf('\0');
  return nul === -1 ? text : text.slice(0, nul);
}

function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/**
 * Fixed-layout text (GUIDs, hex numbers) is written here as ASCII and read out as one string:
 * one allocation instead of a concatenation per part. Used and read out within one call.
 */
const ascii = Buffer.alloc(40);
const HEX_DIGIT = Buffer.from('0123456789abcdef', 'latin1');
const HEX_DIGIT_UPPER = Buffer.from('0123456789ABCDEF', 'latin1');

/** `n` (u32) in lower-case hex at `ascii[at]`, at least `min` digits; returns the end. */
function writeHex(n: number, at: number, min: number): number {
  let digits = min;
  while (digits < 8 && n >>> (digits * 4) !== 0) digits++;
  for (let i = digits - 1; i >= 0; i--) ascii[at++] = HEX_DIGIT[(n >>> (i * 4)) & 15];
  return at;
}

function hex32(n: number): string {
  ascii[0] = 0x30; // 0
  ascii[1] = 0x78; // x
  return decoders(ascii).latin1Slice(0, writeHex(n, 2, 1));
}

function hex64(b: Buffer, at: number): string {
  const hi = b.readUInt32LE(at + 4);
  const lo = b.readUInt32LE(at);
  if (hi === 0) return hex32(lo);
  ascii[0] = 0x30;
  ascii[1] = 0x78;
  return decoders(ascii).latin1Slice(0, writeHex(lo, writeHex(hi, 2, 1), 8));
}

/** GUID byte order: Data1–3 little-endian, Data4 as stored; -1 = dash. */
const GUID_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15];

function guid(b: Buffer, at: number): string {
  let p = 0;
  for (let k = 0; k < GUID_ORDER.length; k++) {
    const i = GUID_ORDER[k];
    if (i < 0) {
      ascii[p++] = 0x2d; // -
      continue;
    }
    const v = b[at + i];
    ascii[p++] = HEX_DIGIT_UPPER[v >> 4];
    ascii[p++] = HEX_DIGIT_UPPER[v & 15];
  }
  return decoders(ascii).latin1Slice(0, p);
}

function sid(b: Buffer, at: number, size: number): string {
  if (size < 8) throw new EvtxError(`SID of ${size} bytes`, at);
  const count = b[at + 1];
  if (8 + count * 4 > size) throw new EvtxError(`SID with ${count} sub-authorities does not fit ${size} bytes`, at);
  // 48-bit big-endian identifier authority.
  const authority = b.readUInt16BE(at + 2) * TWO_32 + b.readUInt32BE(at + 4);
  let s = `S-${b[at]}-${authority}`;
  for (let i = 0; i < count; i++) s += `-${b.readUInt32LE(at + 8 + i * 4)}`;
  return s;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * FILETIME text is written here, `YYYY-MM-DDTHH:MM:SS.ffffffZ`; its date part is rewritten only
 * when the day changes (the times of one file mostly fall on a few days).
 */
const timeText = Buffer.from('0000-00-00T00:00:00.000000Z', 'latin1');
let timeTextDay = NaN;

/** `n` as `width` decimal digits (zero-padded) at `timeText[at]`. */
function writeDigits(n: number, at: number, width: number): void {
  for (let i = at + width - 1; i >= at; i--) {
    timeText[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** FILETIME (100 ns ticks since 1601-01-01 UTC) as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function fileTime(lo: number, hi: number): string {
  // The tick count exceeds 2^53: take the sub-second part exactly with modular arithmetic.
  const subTicks = ((hi % 1e7) * (TWO_32 % 1e7) + (lo % 1e7)) % 1e7;
  const seconds = Math.round((hi * TWO_32 + lo - subTicks) / 1e7) - 11644473600;
  const days = Math.floor(seconds / 86400);
  if (days < -719468 || days > 2932896) return `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`; // outside years 0–9999
  if (days !== timeTextDay) {
    writeCivilDate(days);
    timeTextDay = days;
  }
  const inDay = seconds - days * 86400;
  writeDigits(Math.floor(inDay / 3600), 11, 2);
  writeDigits(Math.floor(inDay / 60) % 60, 14, 2);
  writeDigits(inDay % 60, 17, 2);
  writeDigits(Math.floor(subTicks / 10), 20, 6);
  return decoders(timeText).latin1Slice(0, 27);
}

/** Days since 1970-01-01 → `YYYY-MM-DD` at the start of `timeText` (H. Hinnant's civil_from_days). */
function writeCivilDate(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  writeDigits(year, 0, 4);
  writeDigits(month, 5, 2);
  writeDigits(day, 8, 2);
}

/** SYSTEMTIME: year, month, day-of-week, day, hour, minute, second, milliseconds (u16 each). */
function sysTime(b: Buffer, at: number): string {
  const year = b.readUInt16LE(at);
  const ms = b.readUInt16LE(at + 14);
  return `${String(year).padStart(4, '0')}-${pad2(b.readUInt16LE(at + 2))}-${pad2(b.readUInt16LE(at + 6))}T${pad2(b.readUInt16LE(at + 8))}:${pad2(b.readUInt16LE(at + 10))}:${pad2(b.readUInt16LE(at + 12))}.${String(ms * 1000).padStart(6, '0')}Z`;
}
