/**
 * The flat JSON formats (sigma-ndjson, winlogbeat, otrf) in the shapes real exports have besides
 * NDJSON: one JSON array (`jq -c -s`, `jq -s .`, PowerShell `ConvertTo-Json` with its 4-space
 * indentation and CRLF), and pretty-printed objects one after another (`jq .`). Each gives the
 * NDJSON form's events, with the line each record starts on; a broken record is one bad record.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileRangeChunks } from '../../src/sources/file-range.js';
import { sniffFormat } from '../../src/sources/open.js';
import { otrfReader } from '../../src/sources/otrf.js';
import type { SourceReader } from '../../src/sources/reader.js';
import { sigmaNdjsonReader } from '../../src/sources/sigma-ndjson.js';
import { winlogbeatReader } from '../../src/sources/winlogbeat.js';
import { chunked, fixture, readWith, withoutSource } from './helpers.js';

interface Shape {
  name: string;
  text: (records: unknown[]) => string;
  /** Lines a record starts on: the first line of each record as the tool writes it. */
  starts: RegExp;
}

const SHAPES: Shape[] = [
  { name: 'one-line array (jq -c -s)', text: (r) => JSON.stringify(r) + '\n', starts: /^\[/ },
  { name: 'pretty array (jq -s .)', text: (r) => JSON.stringify(r, null, 2) + '\n', starts: /^ {2}\{$/ },
  {
    name: 'ConvertTo-Json (4 spaces, "key":  value, CRLF)',
    text: (r) => JSON.stringify(r, null, 4).replace(/": /g, '":  ').replace(/\n/g, '\r\n'),
    starts: /^ {4}\{\r?$/,
  },
  { name: 'pretty objects (jq .)', text: (r) => r.map((x) => JSON.stringify(x, null, 2)).join('\n') + '\n', starts: /^\{$/ },
];

/** The fixture's NDJSON lines that its reader turns into events, and those events. */
async function ndjsonRead(reader: SourceReader, name: string) {
  const lines = readFileSync(fixture(name), 'utf8').split('\n');
  const { events } = await readWith(reader, chunked(readFileSync(fixture(name)), [65_536]), name);
  return { events, records: events.map((e) => JSON.parse(lines[e.source.line! - 1]!) as unknown) };
}

function startLines(text: string, starts: RegExp, count: number): number[] {
  const lines = text.split('\n');
  const found = lines.flatMap((l, i) => (starts.test(l) ? [i + 1] : []));
  return found.length === 1 ? Array<number>(count).fill(found[0]!) : found;
}

describe('flat JSON readers read JSON arrays and pretty-printed objects as they read NDJSON', () => {
  for (const [reader, name] of [
    [sigmaNdjsonReader, 'sigma.ndjson'],
    [winlogbeatReader, 'winlogbeat.ndjson'],
    [otrfReader, 'otrf.ndjson'],
  ] as const) {
    for (const shape of SHAPES) {
      it(`${reader.format}: ${shape.name}`, async () => {
        const ndjson = await ndjsonRead(reader, name);
        expect(ndjson.events.length).toBeGreaterThan(2);
        const text = shape.text(ndjson.records);
        expect(sniffFormat(text)?.format).toBe(reader.format);
        // Chunks cut inside records, inside strings and across CRLF.
        const { events, bad } = await readWith(reader, chunked(text, [7, 301, 4096]), 'shaped.json');
        expect(bad).toEqual([]);
        expect(withoutSource(events)).toEqual(withoutSource(ndjson.events));
        const lines = startLines(text, shape.starts, events.length);
        expect(events.map((e) => e.source)).toEqual(lines.map((line) => ({ file: 'shaped.json', format: reader.format, line })));
      });
    }
  }

  it('reads a byte range of an NDJSON file as lines, even one starting with a line that opens with `[`', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sw-shape-')), 'range.ndjson');
    const text = '[1, 2]\n{"Image": "a"}\n{\n{"Image": "b"}\n';
    writeFileSync(path, text);
    const result = { events: [] as string[], bad: [] as Array<[number | undefined, string]> };
    const ctx = { file: path, bad: (b: { line?: number; reason: string }) => void result.bad.push([b.line, b.reason.replace(/:.*/, '')]) };
    for await (const batch of sigmaNdjsonReader.read(fileRangeChunks(path, 0, text.length, 8), ctx)) result.events.push(...batch.map((e) => `${e.source.line}:${e.fields.Image}`));
    expect(result).toEqual({ events: ['2:a', '4:b'], bad: [[1, 'not a JSON object'], [3, 'invalid JSON']] });
  });

  it('a pretty-printed file with no member an event has (package.json) is no sigma-ndjson input', () => {
    const pkg = { name: 'left-pad', version: '1.3.0', scripts: { postinstall: 'node install.js' }, dependencies: {} };
    expect(sniffFormat(JSON.stringify(pkg, null, 2) + '\n')).toBeUndefined();
    expect(sniffFormat(JSON.stringify([pkg], null, 2) + '\n')).toBeUndefined();
    expect(sniffFormat(JSON.stringify(pkg) + '\n')?.format).toBe('sigma-ndjson'); // NDJSON: any object, as before
    expect(sniffFormat(JSON.stringify([{ ...pkg, CommandLine: 'node install.js' }], null, 2))?.format).toBe('sigma-ndjson');
  });

  it('does not split a JSON array or pretty objects on newlines, but does NDJSON', () => {
    const [one] = [{ Image: 'C:\\x.exe', EventID: 1 }];
    for (const reader of [sigmaNdjsonReader, winlogbeatReader, otrfReader]) {
      expect(reader.splitsInput!(JSON.stringify(one) + '\n' + JSON.stringify(one) + '\n')).toBe(true);
      expect(reader.splitsInput!('\uFEFF\r\n[\r\n    {\r\n')).toBe(false);
      expect(reader.splitsInput!(`[${JSON.stringify(one)},\n${JSON.stringify(one)}]\n`)).toBe(false);
      expect(reader.splitsInput!(JSON.stringify(one, null, 2) + '\n')).toBe(false);
    }
  });
});

describe('Windows PowerShell 5.1 ConvertTo-Json of Get-WinEvent | Select-Object', () => {
  it('a one-object result is a `{` alone on its line; its TimeCreated /Date(ms)/ is the time', async () => {
    const text = [
      '{',
      '    "TimeCreated":  "\\/Date(1795770841875)\\/",',
      '    "EventID":  1,',
      '    "Channel":  "Microsoft-Windows-Sysmon/Operational",',
      '    "Computer":  "DEV-WS-042.corp.example.com",',
      '    "Image":  "C:\\\\Windows\\\\System32\\\\cmd.exe",',
      '    "ParentImage":  "C:\\\\Program Files\\\\nodejs\\\\node.exe"',
      '}',
    ].join('\r\n');
    expect(sniffFormat(text)?.format).toBe('otrf');
    const { events, bad } = await readWith(otrfReader, chunked(text, [64]), 'winevent.json');
    expect(bad).toEqual([]);
    expect(events).toMatchObject([{ category: 'process_creation', service: 'sysmon', host: 'DEV-WS-042.corp.example.com', time: 1795770841875, source: { line: 1 } }]);
  });
});

describe('a broken record in an array or in pretty objects', () => {
  const good = (n: number) => `{\n    "EventID": 1,\n    "Channel": "Microsoft-Windows-Sysmon/Operational",\n    "Image": "C:\\\\n${n}.exe"\n  }`;

  it('array: a syntax error is one bad record with its line, offset and index; the others are read', async () => {
    const broken = '{\n    "EventID": 1\n    "Image": "no comma before me"\n  }';
    const text = `[\n  ${good(0)},\n  ${broken},\n  ${good(2)}\n]\n`;
    const { events, bad } = await readWith(sigmaNdjsonReader, chunked(text, [5, 64]), 'a.json');
    expect(bad).toEqual([
      { file: 'a.json', format: 'sigma-ndjson', line: 7, offset: text.indexOf(broken), record: 1, reason: expect.stringMatching(/^invalid JSON: /) },
    ]);
    expect(events.map((e) => [e.source.line, e.fields.Image, e.category])).toEqual([
      [2, 'C:\\n0.exe', 'process_creation'],
      [11, 'C:\\n2.exe', 'process_creation'],
    ]);
  });

  it('array: a string not closed on its line costs that record only (resynchronised at the next record)', async () => {
    const broken = '{\n    "EventID": 1,\n    "Image": "C:\\\\unclosed\n  }';
    const text = `[\n  ${good(0)},\n  ${broken},\n  ${good(2)}\n]\n`;
    const { events, bad } = await readWith(otrfReader, chunked(text, [3, 50]), 'a.json');
    expect(bad.map((b) => [b.line, b.offset, b.record, b.reason])).toEqual([[7, text.indexOf(broken), 1, 'invalid JSON: a string is not closed on its line']]);
    expect(events.map((e) => [e.source.line, e.fields.Image])).toEqual([
      [2, 'C:\\n0.exe'],
      [11, 'C:\\n2.exe'],
    ]);
  });

  it('pretty objects: a broken object is one bad record with its line and offset; the next one is read', async () => {
    const objects = [0, 1, 2].map((n) => JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: `C:\\n${n}.exe` }, null, 2));
    objects[1] = objects[1]!.replace('"EventID": 1,', '"EventID": 1');
    const text = objects.join('\n') + '\n';
    const { events, bad } = await readWith(otrfReader, chunked(text, [11]), 'p.json');
    expect(bad).toEqual([{ file: 'p.json', format: 'otrf', line: 6, offset: objects[0]!.length + 1, record: 1, reason: expect.stringMatching(/^invalid JSON: /) }]);
    expect(events.map((e) => [e.source.line, e.fields.Image, e.category])).toEqual([
      [1, 'C:\\n0.exe', 'process_creation'],
      [11, 'C:\\n2.exe', 'process_creation'],
    ]);
  });

  it('an array cut short is reported; the records before the cut are read', async () => {
    const text = `[\n  ${good(0)},\n  ${good(1)}`;
    const { events, bad } = await readWith(sigmaNdjsonReader, chunked(text, [64]), 't.json');
    expect(events.map((e) => e.fields.Image)).toEqual(['C:\\n0.exe', 'C:\\n1.exe']);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[11, 'input ends before the top-level array closes (truncated export?)']]);
  });
});
