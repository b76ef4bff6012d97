import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defenderReader } from '../../src/sources/defender.js';
import { MAX_RECORD_DEPTH } from '../../src/sources/json-records.js';
import { qradarJsonReader } from '../../src/sources/qradar-json.js';
import { chunked, readWith } from './helpers.js';

const SAMPLE = resolve(__dirname, '../../samples/qradar-export.json');

/** A QRadar export with one record per line, as QRadar writes it: record i is on line i + 2. */
function qradarExport(count: number, edit: (i: number, line: string) => string = (_i, l) => l): string {
  const lines = [];
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({ starttime: 1700000000000 + i, qidname: 'Process Create', 'Process Name': `C:\\x\\p${i}.exe`, devicehostname: 'h' });
    lines.push(edit(i, line) + (i < count - 1 ? ',' : ''));
  }
  return `{"events": [\n${lines.join('\n')}\n]}\n`;
}

describe('qradar-json: a record with a syntax error', () => {
  it('3,000 records with a missing colon in record 1,500: 2,999 events, one bad record at its line', async () => {
    // Record 1,500 (1-based) is index 1499, on line 1501.
    const text = qradarExport(3000, (i, l) => (i === 1499 ? l.replace('"qidname":', '"qidname"') : l));
    const { events, bad } = await readWith(qradarJsonReader, chunked(text, [4096, 333, 65536]), 'big.json');
    expect(events).toHaveLength(2999);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ file: 'big.json', format: 'qradar-json', line: 1501, record: 1499 });
    expect(bad[0]!.reason).toMatch(/^invalid JSON: /);
    const records = events.map((e) => e.source.record);
    expect(records.slice(1497, 1500)).toEqual([1497, 1498, 1500]);
    expect(events[1499]!.fields.Image).toBe('C:\\x\\p1500.exe');
  });

  it('the 9-record sample with an error in record 2 reads the other 8 and names line and record', async () => {
    const sample = readFileSync(SAMPLE, 'utf8');
    const good = await readWith(qradarJsonReader, Readable.from([sample]));
    expect(good.bad).toEqual([]);
    expect(good.events).toHaveLength(9);
    // Record 2's second member loses its colon.
    const second = sample.indexOf('"qidname": "File Create"');
    const broken = sample.slice(0, second) + sample.slice(second).replace('"qidname": ', '"qidname" ');
    const line = sample.slice(0, second).split('\n').length;
    const { events, bad } = await readWith(qradarJsonReader, Readable.from([broken]), 'sample.json');
    expect(events.map((e) => e.source.record)).toEqual([0, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.map((e) => e.fields.qidname)).toEqual(good.events.filter((_, i) => i !== 1).map((e) => e.fields.qidname));
    expect(bad).toHaveLength(1);
    // The record is reported at the line its `{` is on: the line above its qidname member.
    expect(bad[0]).toMatchObject({ line: line - 2, record: 1 });
  });

  it('resynchronises at the next record after an unclosed string or bracket', async () => {
    const text = qradarExport(6, (i, l) => (i === 1 ? l.replace('"h"', '"h') : i === 3 ? l.replace('{', '{"x": [1, ') : l));
    const { events, bad } = await readWith(qradarJsonReader, chunked(text, [7]), 'x.json');
    expect(events.map((e) => e.source.record)).toEqual([0, 2, 4, 5]);
    expect(events.map((e) => e.fields.Image)).toEqual([0, 2, 4, 5].map((i) => `C:\\x\\p${i}.exe`));
    expect(bad.map((b) => [b.line, b.record])).toEqual([[3, 1], [5, 3]]);
    expect(bad[0]!.reason).toBe('invalid JSON: a string is not closed on its line');
    expect(bad[1]!.reason).toBe("invalid JSON: '}' closes a bracket it did not open");
  });

  // Fuzz finding (test/fuzz/resync.test.ts): a broken LAST record swallowed the array's end and
  // gave three bad records (the record, a stray `}`, "array not closed") for one.
  it('a broken last record is one bad record: the array still ends at its `]`', async () => {
    for (const edit of [(l: string) => l.replace('{', '{['), (l: string) => l.replace('{', '{"a": {'), (l: string) => l.replace('"h"', '"h')]) {
      const text = qradarExport(4, (i, l) => (i === 3 ? edit(l) : l));
      const { events, bad } = await readWith(qradarJsonReader, chunked(text, [11, 4096]), 'x.json');
      expect(events).toHaveLength(3);
      expect(bad.map((b) => [b.line, b.record])).toEqual([[5, 3]]);
    }
  });

  it('a record nested deeper than the limit is reported, not stacked without bound', async () => {
    const deep = '['.repeat(MAX_RECORD_DEPTH + 5);
    const text = qradarExport(3, (i, l) => (i === 1 ? l.replace('{', `{"deep": ${deep}`) : l));
    const { events, bad } = await readWith(qradarJsonReader, Readable.from([text]), 'd.json');
    expect(events).toHaveLength(2);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([[3, `record nested deeper than ${MAX_RECORD_DEPTH} levels`]]);
  });

  it('reports a truncated export and keeps every whole record before the cut', async () => {
    const text = qradarExport(5);
    const cut = text.slice(0, text.indexOf('p3.exe'));
    const { events, bad } = await readWith(qradarJsonReader, Readable.from([cut]), 't.json');
    expect(events).toHaveLength(3);
    expect(bad.map((b) => [b.line, b.record, b.reason])).toEqual([
      [5, 3, 'incomplete record at end of input'],
      [5, undefined, 'input ends before the "events" array closes (truncated export?)'],
    ]);
  });

  it('reports a document without an events array once', async () => {
    const { events, bad } = await readWith(qradarJsonReader, Readable.from(['{"events": 3}']), 'n.json');
    expect(events).toEqual([]);
    expect(bad.map((b) => b.reason)).toEqual(['no "events" array found']);
  });

  it('does not take brackets and braces inside strings for structure', async () => {
    const text = `{"meta": {"note": "[{\\"events\\": ["}, "events": [{"starttime": 1, "qidname": "a]}{\\"", "x": "\\\\"}, {"starttime": 2}]}`;
    const { events, bad } = await readWith(qradarJsonReader, chunked(text, [1, 2, 3]));
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.time, e.fields.qidname])).toEqual([[1, 'a]}{"'], [2, undefined]]);
  });
});

describe('defender JSON: a row with a syntax error', () => {
  const row = (i: number) => JSON.stringify({ Timestamp: '2026-11-27T09:31:45Z', DeviceName: `d${i}`, ActionType: 'ProcessCreated', FolderPath: `/usr/bin/p${i}` });

  it('API output {"Schema", "Results"}: the rows around a broken one are read, the broken one named by line', async () => {
    const rows = [0, 1, 2, 3].map(row);
    rows[2] = rows[2]!.replace('"DeviceName":', '"DeviceName"');
    const text = `{"Schema": [{"Name": "Timestamp", "Type": "DateTime"}],\n"Results": [\n${rows.join(',\n')}\n]}`;
    const { events, bad } = await readWith(defenderReader, chunked(text, [5, 64]), 'api.json');
    expect(events.map((e) => e.host)).toEqual(['d0', 'd1', 'd3']);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ file: 'api.json', format: 'defender', line: 5, record: 2 });
  });

  it('a bare array', async () => {
    const rows = [0, 1, 2].map(row);
    rows[0] = rows[0]!.replace('"d0"', '"d0');
    const text = `[\n${rows.join(',\n')}\n]`;
    const { events, bad } = await readWith(defenderReader, Readable.from([text]), 'arr.json');
    expect(events.map((e) => e.host)).toEqual(['d1', 'd2']);
    expect(bad.map((b) => [b.line, b.record])).toEqual([[2, 0]]);
  });
});

describe('json-records: pretty-printed records', () => {
  it('a nested object one column right of its record is not taken for the next record', async () => {
    const text = '{"events": [\n {\n  "starttime": 1,\n  "x": [\n  {"a": 1}\n  ]\n },\n {\n  "starttime": 2\n }\n]}\n';
    const { events, bad } = await readWith(qradarJsonReader, Readable.from([text]));
    expect(bad).toEqual([]);
    expect(events.map((e) => e.time)).toEqual([1, 2]);
  });
});

describe('documents one after another, and text after the last', () => {
  it('reads the array of every export appended to one file (QRadar pages), record indexes running on', async () => {
    const page = qradarExport(2);
    const { events, bad } = await readWith(qradarJsonReader, chunked(page + page.trimEnd() + '\n', [17]), 'pages.json');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.record, e.fields.Image])).toEqual([
      [0, 'C:\\x\\p0.exe'],
      [1, 'C:\\x\\p1.exe'],
      [2, 'C:\\x\\p0.exe'],
      [3, 'C:\\x\\p1.exe'],
    ]);
  });

  it('reports text after the array once, with its line and offset (a bare array: a second array is read)', async () => {
    const row = '{"Timestamp": "2026-11-27T09:00:00Z", "DeviceName": "h", "ActionType": "ProcessCreated", "FolderPath": "C:\\\\a.exe"}';
    const text = `[${row}]\n[${row}]\n{"not": "an array"}\n[${row}]\n`;
    const { events, bad } = await readWith(defenderReader, chunked(text, [5]), 'rows.json');
    expect(events).toHaveLength(3);
    const stray = text.indexOf('{"not"');
    expect(bad).toEqual([{ file: 'rows.json', format: 'defender', line: 3, offset: stray, reason: 'unexpected text after the row array' }]);
  });
});
