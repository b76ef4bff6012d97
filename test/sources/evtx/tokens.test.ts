/**
 * Every Binary XML token and every value type, in a file built byte by byte (`build.ts`):
 * the real corpus holds mostly strings and integers in templates. Expected values are written
 * from the format (e.g. the GUID's mixed-endian layout, a SID's big-endian authority), in the
 * representation evtx_dump gives them.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../../../src/sources/evtx/crc32.js';
import { evtxReader } from '../../../src/sources/evtx.js';
import { readWith } from '../helpers.js';
import { Bytes, evtxFile, instance, record, T, type Value } from './build.js';

const u = (n: number, bytes: number, signed = false): number[] => {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) (signed ? b.writeBigInt64LE(BigInt(n)) : b.writeBigUInt64LE(BigInt(n)));
  else if (signed) b.writeIntLE(n, 0, bytes);
  else b.writeUIntLE(n, 0, bytes);
  return [...b];
};
const str = (s: string): number[] => [...Buffer.from(s + '\0', 'utf16le')];
const f32 = (n: number) => { const b = Buffer.alloc(4); b.writeFloatLE(n); return [...b]; };
const f64 = (n: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(n); return [...b]; };
/** 2023-11-14T22:13:20.1234567Z as a FILETIME: seconds since 1601 × 10^7 + the 100 ns remainder. */
const FILETIME = (BigInt(Date.UTC(2023, 10, 14, 22, 13, 20)) / 1000n + 11644473600n) * 10_000_000n + 1_234_567n;
const filetime = (() => { const b = Buffer.alloc(8); b.writeBigUInt64LE(FILETIME); return [...b]; })();
const systime = [2020, 2, 6, 29, 13, 14, 15, 678].flatMap((n) => u(n, 2)); // 2020-02-29 (Saturday) 13:14:15.678
// GUID {5770385F-C22A-43E0-BF4C-06F5698FFBD9}: Data1–3 little-endian, Data4 as written.
const guid = [0x5f, 0x38, 0x70, 0x57, 0x2a, 0xc2, 0xe0, 0x43, 0xbf, 0x4c, 0x06, 0xf5, 0x69, 0x8f, 0xfb, 0xd9];
// S-1-5-21-1-2-3: revision 1, 4 sub-authorities, authority 5 (6 bytes big-endian), sub-authorities LE.
const sid = [1, 4, 0, 0, 0, 0, 0, 5, ...u(21, 4), ...u(1, 4), ...u(2, 4), ...u(3, 4)];

/** [Data Name, value type, bytes, expected field value] — one row per value type. */
const TYPED: [string, number, number[], unknown][] = [
  ['String', 0x01, str('text ü'), 'text ü'],
  ['Ansi', 0x02, [0x63, 0x61, 0x66, 0xe9, 0x00], 'café'],
  ['Int8', 0x03, u(-5, 1, true), -5],
  ['UInt8', 0x04, u(250, 1), 250],
  ['Int16', 0x05, u(-300, 2, true), -300],
  ['UInt16', 0x06, u(65000, 2), 65000],
  ['Int32', 0x07, u(-70000, 4, true), -70000],
  ['UInt32', 0x08, u(4000000000, 4), 4000000000],
  ['Int64', 0x09, u(-5_000_000_000_000, 8, true), -5_000_000_000_000],
  ['UInt64', 0x0a, u(2 ** 40 + 3, 8), 2 ** 40 + 3],
  ['Real32', 0x0b, f32(0.1), '0.1'],
  ['Real64', 0x0c, f64(2.25), '2.25'],
  ['Bool', 0x0d, u(1, 4), true],
  ['Binary', 0x0e, [0xde, 0xad, 0xbe, 0xef], 'DEADBEEF'],
  ['Guid', 0x0f, guid, '5770385F-C22A-43E0-BF4C-06F5698FFBD9'],
  ['SizeT', 0x10, u(0x1000, 8), '0x1000'],
  ['FileTime', 0x11, filetime, '2023-11-14T22:13:20.123456Z'],
  ['SysTime', 0x12, systime, '2020-02-29T13:14:15.678000Z'],
  ['Sid', 0x13, sid, 'S-1-5-21-1-2-3'],
  ['Hex32', 0x14, u(0xbeef, 4), '0xbeef'],
  ['Hex64', 0x15, u(0x12_3456_789a, 8), '0x123456789a'],
  ['StringArray', 0x81, [...str('a'), ...str('b,c')], 'a,b,c'],
  ['UInt16Array', 0x86, [...u(1, 2), ...u(2, 2), ...u(3, 2)], '1,2,3'],
  ['GuidArray', 0x8f, [...guid, ...guid], '5770385F-C22A-43E0-BF4C-06F5698FFBD9,5770385F-C22A-43E0-BF4C-06F5698FFBD9'],
  ['Hex32Array', 0x94, [...u(1, 4), ...u(255, 4)], '0x1,0xff'],
];

/** Values 0–5 fill System and the optional substitution; the typed rows follow; the last is nested BinXml. */
const FIRST_TYPED = 6;
const NESTED = FIRST_TYPED + TYPED.length;

function body(t: Bytes): void {
  T.fragmentHeader(t);
  T.open(t, 'Event', true);
  T.attr(t, 'xmlns');
  T.text(t, 'http://schemas.microsoft.com/win/2004/08/events/event');
  T.close(t);
  T.open(t, 'System', false);
  T.close(t);
  T.open(t, 'Provider', true);
  T.attr(t, 'Name');
  T.optSub(t, 1, 0x01);
  T.closeEmpty(t);
  T.open(t, 'EventID', false);
  T.close(t);
  T.sub(t, 0, 0x06);
  T.end(t);
  T.open(t, 'TimeCreated', true);
  T.attr(t, 'SystemTime');
  T.optSub(t, 2, 0x11);
  T.closeEmpty(t);
  T.open(t, 'EventRecordID', false);
  T.close(t);
  T.sub(t, 3, 0x0a);
  T.end(t);
  T.open(t, 'Channel', false);
  T.close(t);
  T.text(t, 'Test/Operational');
  T.end(t);
  T.open(t, 'Computer', false);
  T.close(t);
  T.sub(t, 4, 0x01);
  T.end(t);
  T.end(t); // System
  T.open(t, 'EventData', false);
  T.close(t);
  const data = (name: string, content: () => void) => {
    T.open(t, 'Data', true);
    T.attr(t, 'Name');
    T.text(t, name);
    T.close(t);
    content();
    T.end(t);
  };
  data('CData', () => T.cdata(t, 'a<b & c'));
  data('Refs', () => {
    T.text(t, 'x');
    T.charRef(t, 0x41);
    T.entityRef(t, 'amp');
    T.entityRef(t, 'lt');
  });
  data('PI', () => {
    T.piTarget(t, 'target');
    T.piData(t, 'instruction');
    T.text(t, 'after');
  });
  data('Optional', () => T.optSub(t, 5, 0x01));
  data('Empty', () => {});
  TYPED.forEach(([name, type], i) => data(name, () => T.sub(t, FIRST_TYPED + i, type)));
  data('Nested', () => T.sub(t, NESTED, 0x21));
  T.end(t); // EventData
  T.end(t); // Event
  T.eof(t);
}

/** An embedded fragment (value type 0x21) at chunk offset `at`: its elements carry no dependency id. */
function nestedFragment(at: number): number[] {
  const n = new Bytes(at);
  T.fragmentHeader(n);
  T.open(n, 'Inner', true, false);
  T.attr(n, 'Kind');
  T.text(n, 'k');
  T.close(n);
  T.text(n, 'deep');
  T.end(n);
  T.eof(n);
  return [...n.toBuffer()];
}

function values(eventId: number, recordId: number, computer: string): Value[] {
  return [
    { type: 0x06, bytes: u(eventId, 2) },
    { type: 0x01, bytes: str('Test-Provider') },
    { type: 0x11, bytes: filetime },
    { type: 0x0a, bytes: u(recordId, 8) },
    { type: 0x01, bytes: str(computer) },
    { type: 0x00, bytes: [] },
    ...TYPED.map(([, type, bytes]) => ({ type, bytes })),
    { type: 0x21, bytes: nestedFragment },
  ];
}

/** Record 1 defines the template inline; record 2 refers to it by offset (the per-chunk cache). */
function file(): Buffer {
  let definition = 0;
  return evtxFile([
    (at) =>
      record(at, 1, (b) => {
        T.fragmentHeader(b);
        definition = instance(b, 'inline', body, values(4242, 101, 'HOST1'));
        T.eof(b);
      }),
    (at) =>
      record(at, 2, (b) => {
        T.fragmentHeader(b);
        instance(b, definition, body, values(7, 102, 'HOST2'));
        T.eof(b);
      }),
  ]);
}

describe('EVTX Binary XML tokens and value types (hand-built file)', () => {
  it('CRC-32: the standard check value, and native and table versions agree', () => {
    const check = Buffer.from('123456789');
    expect(crc32Table(check, 0, 9)).toBe(0xcbf43926);
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32(check, 4, 9, crc32(check, 0, 4))).toBe(0xcbf43926);
  });

  it('decodes every token and value type, with the template cached for the second record', async () => {
    const { events, bad } = await readWith(evtxReader, Readable.from([file()]), 'built.evtx');
    expect(bad).toEqual([]);
    expect(events).toHaveLength(2);
    const [first, second] = events;
    expect(first.fields).toMatchObject({
      Provider_Name: 'Test-Provider',
      EventID: 4242,
      TimeCreated_SystemTime: '2023-11-14T22:13:20.123456Z',
      EventRecordID: 101,
      Channel: 'Test/Operational',
      Computer: 'HOST1',
      CData: 'a<b & c', // CDATA section
      Refs: 'xA&<', // value text, character reference, entity references
      PI: 'after', // processing instruction target and data carry no data
      Optional: '', // optional substitution with a null value: the element exists, empty
      Empty: '',
      Nested: { Inner: { '#attributes': { Kind: 'k' }, '#text': 'deep' } }, // BinXml value
    });
    for (const [name, , , expected] of TYPED) expect(first.fields[name], name).toEqual(expected);
    expect(first.time).toBe(Date.UTC(2023, 10, 14, 22, 13, 20, 123));
    expect(first.host).toBe('HOST1');
    expect(first.source).toEqual({ file: 'built.evtx', format: 'evtx', record: 101, offset: 4096 + 512 });
    expect(second.fields).toMatchObject({ EventID: 7, EventRecordID: 102, Computer: 'HOST2', CData: 'a<b & c' });
    expect(second.source.offset).toBeGreaterThan(first.source.offset!);
  });

  it('a template instantiating others 10 times over, 6 levels deep (10^6 elements), is refused, not expanded', async () => {
    /** Template body of level `level`: an element holding ten instances of the next level's template. */
    const laughs = (t: Bytes, level: number): void => {
      T.fragmentHeader(t);
      T.open(t, level === 0 ? 'Event' : `L${level}`, false);
      T.close(t);
      if (level < 6) {
        const next = instance(t, 'inline', (u) => laughs(u, level + 1), []);
        for (let i = 1; i < 10; i++) instance(t, next, () => {}, []);
      } else {
        T.text(t, 'lol');
      }
      T.end(t);
      T.eof(t);
    };
    const bytes = evtxFile([
      (at) =>
        record(at, 1, (b) => {
          T.fragmentHeader(b);
          instance(b, 'inline', (t) => laughs(t, 0), []);
          T.eof(b);
        }),
    ]);
    const { events, bad } = await readWith(evtxReader, Readable.from([bytes]), 'laughs.evtx');
    expect(events).toEqual([]);
    expect(bad).toEqual([
      { file: 'laughs.evtx', format: 'evtx', offset: 4096 + 512, record: 1, reason: 'bad binary XML: record expands to more than 100000 nodes' },
    ]);
  });

  it('is found by sniffing the ElfFile signature, and only that', () => {
    expect(evtxReader.sniff(file().subarray(0, 4096).toString('utf8'))).toBe(1);
    expect(evtxReader.sniff('{"Event": {"System": {}}}')).toBe(0);
  });
});
