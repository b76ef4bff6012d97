/**
 * Value decoding against independent references over many values: FILETIME against BigInt
 * arithmetic and `Date` (the decoder keeps the current day's date text between values, so
 * consecutive values crossing days, years, 1970 and the ends of the range are checked), GUIDs,
 * hex32/hex64 and UTF-16 strings against Buffer/BigInt renderings.
 */
import { describe, expect, it } from 'vitest';
import { decodeValue, fileTime, ValueType } from '../../../src/sources/evtx/values.js';
import { prng as random } from '../../helpers/prng.js';


const TICKS_PER_SECOND = 10_000_000n;
const EPOCH_TICKS = 11_644_473_600n * TICKS_PER_SECOND; // 1601-01-01 → 1970-01-01
/** First tick of year 10000: later FILETIMEs are printed as hex. */
const END_TICKS = EPOCH_TICKS + BigInt(Date.UTC(10000, 0, 1)) * 10_000n;

/** The reference text: `Date` for the date and time of day, the ticks for the microseconds. */
function referenceTime(ticks: bigint): string {
  if (ticks >= END_TICKS) return `0x${ticks.toString(16)}`;
  const sinceEpoch = ticks - EPOCH_TICKS;
  const seconds = sinceEpoch >= 0n ? sinceEpoch / TICKS_PER_SECOND : -((-sinceEpoch + TICKS_PER_SECOND - 1n) / TICKS_PER_SECOND);
  const micros = (sinceEpoch - seconds * TICKS_PER_SECOND) / 10n;
  const date = new Date(Number(seconds) * 1000);
  const iso = date.toISOString(); // ±YYYYYY for years outside 0–9999 never occurs here
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  return `${year}${iso.slice(iso.indexOf('-', 1), 19)}.${String(micros).padStart(6, '0')}Z`;
}

const decodeTime = (ticks: bigint) => fileTime(Number(ticks & 0xffffffffn), Number(ticks >> 32n));

describe('EVTX value decoding against references', () => {
  it('FILETIME: random instants over the whole range, and runs of consecutive ones crossing days', () => {
    const next = random(11);
    const instants: bigint[] = [0n, 1n, EPOCH_TICKS - 1n, EPOCH_TICKS, EPOCH_TICKS + 9n, END_TICKS - 1n, END_TICKS, 2n ** 64n - 1n];
    for (let i = 0; i < 3000; i++) instants.push(BigInt(Math.floor(next() * 2 ** 31)) * BigInt(Math.floor(next() * 2 ** 31) + 1) % (END_TICKS + 10n ** 12n));
    // Runs around midnights and new years: the date part must change exactly at the day's end.
    for (const day of [Date.UTC(2019, 11, 31), Date.UTC(1969, 11, 31), Date.UTC(2000, 1, 28), Date.UTC(2024, 1, 28)]) {
      const midnight = EPOCH_TICKS + BigInt(day + 86_400_000) * 10_000n;
      for (let d = -25n; d <= 25n; d++) instants.push(midnight + d * 4_000_000n);
    }
    for (const ticks of instants) expect(decodeTime(ticks), `${ticks}`).toBe(referenceTime(ticks));
  });

  it('GUID, hex32 and hex64: random values as Buffer and BigInt render them', () => {
    const next = random(5);
    const b = Buffer.alloc(16);
    for (let i = 0; i < 2000; i++) {
      for (let k = 0; k < 16; k++) b[k] = Math.floor(next() * 256);
      // Sizes of the digits vary: small, large, zero high word.
      if (i % 4 === 0) b.fill(0, 4, 8);
      if (i % 8 === 1) b.fill(0, 1, 8);
      const hex = b.toString('hex').toUpperCase();
      const guid = `${b.subarray(0, 4).reverse().toString('hex')}-${b.subarray(4, 6).reverse().toString('hex')}-${b.subarray(6, 8).reverse().toString('hex')}`;
      b.subarray(0, 4).reverse();
      b.subarray(4, 6).reverse();
      b.subarray(6, 8).reverse();
      expect(decodeValue(b, ValueType.Guid, 0, 16)).toBe(`${guid.toUpperCase()}-${hex.slice(16, 20)}-${hex.slice(20)}`);
      expect(decodeValue(b, ValueType.HexInt32, 0, 4)).toBe(`0x${b.readUInt32LE(0).toString(16)}`);
      expect(decodeValue(b, ValueType.HexInt64, 0, 8)).toBe(`0x${b.readBigUInt64LE(0).toString(16)}`);
      expect(decodeValue(b, ValueType.SizeT, 8, 8)).toBe(`0x${b.readBigUInt64LE(8).toString(16)}`);
      expect(decodeValue(b, ValueType.SizeT, 8, 4)).toBe(`0x${b.readUInt32LE(8).toString(16)}`);
    }
  });

  it('UTF-16 strings: with and without terminator, NUL inside, odd sizes, short and long', () => {
    for (const text of ['', 'a', 'twelve chars', 'thirteen char', 'C:\\Windows\\System32\\svchost.exe -k netsvcs -p', 'ü€😀 non-ASCII and long enough to be decoded natively']) {
      const bytes = Buffer.from(text, 'utf16le');
      const terminated = Buffer.concat([bytes, Buffer.alloc(2)]);
      expect(decodeValue(bytes, ValueType.String, 0, bytes.length)).toBe(text === '' ? null : text);
      expect(decodeValue(terminated, ValueType.String, 0, terminated.length)).toBe(text);
      const cut = Buffer.concat([bytes, Buffer.alloc(2), Buffer.from('after', 'utf16le')]);
      expect(decodeValue(cut, ValueType.String, 0, cut.length)).toBe(text);
      const odd = Buffer.concat([terminated, Buffer.from([0x41])]);
      expect(decodeValue(odd, ValueType.String, 0, odd.length)).toBe(text);
    }
  });
});
