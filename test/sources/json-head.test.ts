import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstJsonLine, firstJsonRecord, jsonLineHead } from '../../src/sources/json-head.js';

describe('jsonLineHead: the first JSON line of a sniffing head', () => {
  it('parses a whole line as JSON.parse does, and nothing that is not a JSON object', () => {
    expect(jsonLineHead('\uFEFF {"a": [1, {"b": null}]}\n{"c"')).toEqual({ members: { a: [1, { b: null }] } });
    expect(jsonLineHead('{"a": 1}')).toEqual({ members: { a: 1 } });
    expect(firstJsonLine('{"a": 1} trailing text')).toBeUndefined();
    expect(firstJsonLine('{"a": 1,}\n')).toBeUndefined();
    expect(firstJsonLine('[{"a": 1}]')).toBeUndefined();
    expect(firstJsonLine('{\n  "pretty": true\n}\n')).toBeUndefined(); // a first line of `{` alone, as before
    expect(firstJsonLine('hello world')).toBeUndefined();
  });

  it('keeps the members whole before the cut and leaves out the scalar or key the cut falls in', () => {
    expect(firstJsonLine('{"a": 1, "b": "long tex')).toEqual({ a: 1 });
    expect(firstJsonLine('{"a": 1, "b": 12')).toEqual({ a: 1 }); // 12 may be 123…
    expect(firstJsonLine('{"a": 1, "b": 12, ')).toEqual({ a: 1, b: 12 });
    expect(firstJsonLine('{"a": 1, "b": tr')).toEqual({ a: 1 });
    expect(firstJsonLine('{"a": 1, "ke')).toEqual({ a: 1 });
    expect(firstJsonLine('{"a": 1, "key": ')).toEqual({ a: 1 });
    expect(firstJsonLine('{')).toEqual({});
  });

  it('keeps an object or array the cut falls in, with its whole entries', () => {
    expect(firstJsonLine('{"id": 4104, "winlog": {"channel": "PowerShell", "event_data": {"ScriptBlockText": "Get-')).toEqual({
      id: 4104,
      winlog: { channel: 'PowerShell', event_data: {} },
    });
    expect(firstJsonLine('{"Schema": [{"Name": "Timestamp"}], "Results": [{"Timestamp": "2025-11-27", "ProcessCommandLine": "powershell -enc SQBFAF')).toEqual({
      Schema: [{ Name: 'Timestamp' }],
      Results: [{ Timestamp: '2025-11-27' }],
    });
    expect(firstJsonLine('{"a": [1, 2, [3')).toEqual({ a: [1, 2, []] });
  });

  it('gives the start of a top-level string value the cut falls in, without an escape the cut split', () => {
    expect(jsonLineHead('{"host": "h", "message": "<Event><Provider Name=\\"Linux-Sysmon\\"/> \\u00e9\\u00')).toEqual({
      members: { host: 'h' },
      cut: { key: 'message', start: '<Event><Provider Name="Linux-Sysmon"/> é' },
    });
    expect(jsonLineHead('{"m": "a\\\\')?.cut).toEqual({ key: 'm', start: 'a\\' });
    expect(jsonLineHead('{"m": "a\\')?.cut).toEqual({ key: 'm', start: 'a' });
    expect(jsonLineHead('{"o": {"m": "nested')).toEqual({ members: { o: {} } }); // only top-level strings
  });

  it('rejects a cut line that is no JSON before the cut', () => {
    for (const head of ['{garbage', '{"a": 1 "b": 2', '{"a": 1,, "b', '{"a": [1,]', '{"a": nulx', '{"a": -x', '{"a": "ctrl\u0001 char', '{"a": "bad \\q escape']) {
      expect(firstJsonLine(head), head).toBeUndefined();
    }
  });

  it('never shows a value the whole record lacks, wherever the head cuts it', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ stringUnit: 'binary' })), fc.nat(), (record, at) => {
        const line = JSON.stringify(record);
        const whole = JSON.parse(line) as Record<string, unknown>; // -0 is 0 once written
        const bytes = Buffer.from(line);
        // Cut at a byte and decoded as open.ts does: a split character becomes U+FFFD.
        const cut = new TextDecoder().decode(bytes.subarray(0, at % (bytes.length + 1)));
        const head = jsonLineHead(cut);
        if (cut === '') {
          expect(head).toBeUndefined();
          return;
        }
        expect(head).toBeDefined();
        expectPartOf(head!.members, whole);
        if (cut === line) expect(head!.members).toEqual(whole);
        if (head!.cut !== undefined) expect((whole[head!.cut.key] as string).startsWith(head!.cut.start)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

/** `part` is `whole` with entries left out: objects lose members, arrays their last entries, containers the cut fell in keep what is whole. */
function expectPartOf(part: unknown, whole: unknown): void {
  if (part === null || typeof part !== 'object') {
    expect(part).toEqual(whole);
    return;
  }
  expect(Array.isArray(part)).toBe(Array.isArray(whole));
  if (Array.isArray(part)) {
    const all = whole as unknown[];
    expect(part.length).toBeLessThanOrEqual(all.length);
    part.forEach((entry, i) => {
      if (i < part.length - 1) expect(entry).toEqual(all[i]);
      else expectPartOf(entry, all[i]);
    });
    return;
  }
  for (const [key, value] of Object.entries(part)) {
    expect(Object.prototype.hasOwnProperty.call(whole, key)).toBe(true);
    expectPartOf(value, (whole as Record<string, unknown>)[key]);
  }
}

describe('firstJsonRecord: the first record of NDJSON, of a JSON array or of pretty-printed objects', () => {
  it('reads the first record whole, whatever follows it', () => {
    expect(firstJsonRecord('{"a": 1}\n{"b": 2}\n')).toEqual({ a: 1 });
    expect(firstJsonRecord('\uFEFF[{"a": 1, "n": {"x": [1]}}, {"b": 2}]')).toEqual({ a: 1, n: { x: [1] } });
    expect(firstJsonRecord('[\r\n    {\r\n        "a":  1,\r\n        "b":  "x"\r\n    },\r\n    {')).toEqual({ a: 1, b: 'x' });
    expect(firstJsonRecord('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n{\n')).toEqual({ a: 1, b: [2] });
  });

  it('reads a first record the head cuts as far as the head holds it, and nothing that is not an object', () => {
    expect(firstJsonRecord('[\n  {\n    "a": 1,\n    "winlog": {\n      "event_data": {\n        "ScriptBlockText": "Get-')).toEqual({ a: 1, winlog: { event_data: {} } });
    expect(firstJsonRecord('{\n  "a": 1,\n  "long": "tex')).toEqual({ a: 1 });
    expect(firstJsonRecord('[1, 2]')).toBeUndefined();
    expect(firstJsonRecord('[\n  "a",')).toBeUndefined();
  });

  it('reads a multi-line record with a syntax error up to the error (the reader reports that record, and reads on)', () => {
    expect(firstJsonRecord('{\n  "a": 1,\n  "b": {"c": 2, "d" 3},\n  "e": 4\n}\n')).toEqual({ a: 1, b: { c: 2 } });
    expect(firstJsonRecord('[\n  {\n    "a": 1,,\n  }\n]')).toEqual({ a: 1 });
    expect(firstJsonLine('{"a": 1, "b" 2, "c": "long tex')).toBeUndefined(); // a line: no JSON line, as before
  });
});
