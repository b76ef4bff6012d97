import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/sources/time.js';

/** What the general path gives (Date.parse; undefined for NaN): each fast path must agree with it. */
const reference = (iso: string): number | undefined => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
};

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('parseTime', () => {
  it('reads numbers, digit strings, ISO 8601 and zoneless forms as UTC', () => {
    expect(parseTime(1553038465123)).toBe(1553038465123);
    expect(parseTime(Number.NaN)).toBeUndefined();
    expect(parseTime('1553038465123')).toBe(1553038465123);
    expect(parseTime('2019-03-19T23:34:25.123Z')).toBe(1553038465123);
    expect(parseTime('2019-03-19T23:34:25+01:00')).toBe(Date.parse('2019-03-19T22:34:25Z'));
    expect(parseTime('2019-03-19 23:34')).toBe(Date.parse('2019-03-19T23:34Z'));
    expect(parseTime('2019-03-19 23:34:25.5')).toBe(Date.parse('2019-03-19T23:34:25.5Z'));
    expect(parseTime('')).toBeUndefined();
    expect(parseTime('not a time')).toBeUndefined();
    expect(parseTime(undefined)).toBeUndefined();
  });

  it("reads Windows PowerShell 5.1 ConvertTo-Json's /Date(ms)/ (the offset it may append does not move the instant)", () => {
    expect(parseTime(JSON.parse('"\\/Date(1553038465123)\\/"'))).toBe(1553038465123);
    expect(parseTime('/Date(1553038465123+0100)/')).toBe(1553038465123);
    expect(parseTime('/Date(-1000)/')).toBe(-1000);
    expect(parseTime('/Date(12x)/')).toBeUndefined();
  });

  it("reads Sysmon's yyyy-MM-dd HH:mm:ss.fff as UTC", () => {
    expect(parseTime('2019-03-19 23:34:25.123')).toBe(1553038465123);
    expect(parseTime('2019-03-19 23:34:25.12x')).toBeUndefined();
    // Before year 100 Date.UTC would give 19xx: the general path reads the year as written.
    expect(parseTime('0050-03-19 23:34:25.123')).toBe(Date.parse('0050-03-19T23:34:25.123Z'));
  });

  it('reads yyyy-MM-ddTHH:mm:ss.ffffffZ exactly as Date.parse does (fraction truncated to ms)', () => {
    const cases = [
      '2019-03-19T23:34:25.123456Z',
      '2019-03-19T23:34:25.999999Z',
      '2019-03-19T23:34:25.000999Z',
      '1601-01-01T00:00:00.000000Z',
      '9999-12-31T23:59:59.999999Z',
      '2020-02-29T12:00:00.500000Z',
      '2019-02-29T12:00:00.500000Z', // rolls over to March 1st, as Date.parse does
      '2019-02-31T00:00:00.000000Z',
      '0050-03-19T23:34:25.123456Z', // before year 100: left to Date.parse
      '0100-01-01T00:00:00.000000Z',
      '2019-03-19T24:00:00.000000Z', // hour 24: left to Date.parse
      '2019-03-32T00:00:00.000000Z',
      '2019-13-01T00:00:00.000000Z',
      '2019-00-01T00:00:00.000000Z',
      '2019-03-19T23:60:00.000000Z',
      '2019-03-19T23:34:25.12345xZ',
      '2019-03-19T23:34:25.123456z',
      '2019/03/19T23:34:25.123456Z',
    ];
    for (const iso of cases) expect(parseTime(iso), iso).toBe(reference(iso));
    // Random instants over the whole range of years the EVTX reader writes.
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const iso = `${pad(random(10000), 4)}-${pad(1 + random(12), 2)}-${pad(1 + random(31), 2)}T${pad(random(24), 2)}:${pad(random(60), 2)}:${pad(random(60), 2)}.${pad(random(1e6), 6)}Z`;
      expect(parseTime(iso), iso).toBe(reference(iso));
    }
  });

  it('gives no time for a number past what a Date holds, in any form (an event time is printed with toISOString)', () => {
    for (const absurd of [99999999999999999999, '99999999999999999999', '/Date(99999999999999999999)/', Infinity]) expect(parseTime(absurd), String(absurd)).toBeUndefined();
    expect(parseTime(8.64e15)).toBe(8.64e15);
    expect(parseTime('/Date(1795770842120)/')).toBe(1795770842120);
  });
});
