import { describe, expect, it } from 'vitest';
import { evtxJsonReader } from '../../src/sources/evtx-json.js';
import { otrfReader } from '../../src/sources/otrf.js';
import { qradarCsvReader } from '../../src/sources/qradar-csv.js';
import { qradarJsonReader } from '../../src/sources/qradar-json.js';
import { sigmaNdjsonReader } from '../../src/sources/sigma-ndjson.js';
import { winlogbeatReader } from '../../src/sources/winlogbeat.js';
import { chunked, fixtureBytes, readWith } from './helpers.js';

const cases = [
  [qradarJsonReader, 'qradar-events.json'],
  [qradarCsvReader, 'qradar-events.csv'],
  [evtxJsonReader, 'evtx-dump.json'],
  [evtxJsonReader, 'evtx-dump.jsonl'],
  [winlogbeatReader, 'winlogbeat.ndjson'],
  [otrfReader, 'otrf.ndjson'],
  [sigmaNdjsonReader, 'sigma.ndjson'],
] as const;

describe('chunked input', () => {
  // 1-byte chunks split every UTF-8 multibyte char, every string and every CRLF; 7/13 bytes
  // split them at varying places. The result must not depend on where chunks end.
  for (const [reader, name] of cases) {
    it(`${reader.format} reads ${name} the same whatever the chunk boundaries`, async () => {
      const bytes = fixtureBytes(name);
      const whole = await readWith(reader, chunked(bytes, [bytes.length]), name);
      expect(whole.events.length).toBeGreaterThan(0);
      for (const sizes of [[1], [7, 13], [2, 3, 64]]) {
        const cut = await readWith(reader, chunked(bytes, sizes), name);
        expect(cut.events, `chunks ${sizes}`).toEqual(whole.events);
        expect(cut.bad, `chunks ${sizes}`).toEqual(whole.bad);
      }
    });
  }

  it('splits a multibyte char and a CRLF across chunks in NDJSON', async () => {
    const text = '{"CommandLine":"echo ü — 日本"}\r\n{"CommandLine":"x"}\r\n';
    const bytes = Buffer.from(text);
    const inChar = bytes.indexOf(Buffer.from('日')) + 1;
    const inCrlf = bytes.indexOf('\r\n');
    const stream = chunked(bytes, [inChar, inCrlf + 1 - inChar, bytes.length]);
    const { events, bad } = await readWith(sigmaNdjsonReader, stream);
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.fields.CommandLine, e.source.line])).toEqual([
      ['echo ü — 日本', 1],
      ['x', 2],
    ]);
  });

  it('reads a final line without a newline and a UTF-8 BOM', async () => {
    const { events } = await readWith(sigmaNdjsonReader, chunked('\uFEFF{"a":1}\n{"a":2}', [3]));
    expect(events.map((e) => e.fields.a)).toEqual([1, 2]);
  });
});
