/**
 * Field names come from the input: a Data element's Name, a CSV header, an audit record's keys, a
 * JSON member. Names that are also members of every JavaScript object (`__proto__`,
 * `constructor`, `toString`) must stay fields like any other: an assignment to `__proto__` sets a
 * prototype (or is ignored), and a test of `fields[name] === undefined` or `name in fields` sees
 * Object.prototype's members, so such fields vanished or were skipped.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { auditdReader } from '../../src/sources/auditd.js';
import { csvEventsReader } from '../../src/sources/csv-events.js';
import { ecsReader } from '../../src/sources/ecs.js';
import { evtxJsonReader } from '../../src/sources/evtx-json.js';
import { evtxReader } from '../../src/sources/evtx.js';
import { otrfReader } from '../../src/sources/otrf.js';
import type { SourceReader } from '../../src/sources/reader.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { corpusEvtxFiles } from './evtx/reference.js';
import { readWith } from './helpers.js';

/** The names as JSON members (an object literal's `__proto__:` would set the prototype instead). */
const jsonMembers = '"__proto__":"p","constructor":"c","toString":"t"';
const EXPECTED: [string, string][] = [['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']];

const cases: [string, SourceReader, string][] = [
  [
    'Windows event XML (Data Name)',
    windowsXmlReader,
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>1</EventID>' +
      '<TimeCreated SystemTime="2026-11-27T09:14:01.875Z"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>h</Computer></System>' +
      '<EventData><Data Name="Image">C:\\x.exe</Data><Data Name="__proto__">p</Data><Data Name="constructor">c</Data><Data Name="toString">t</Data></EventData></Event>\n',
  ],
  [
    "evtx_dump's JSON (EventData members)",
    evtxJsonReader,
    `{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"h","TimeCreated":{"#attributes":{"SystemTime":"2026-11-27T09:14:01.875Z"}}},"EventData":{"Image":"C:\\\\x.exe",${jsonMembers}}}}\n`,
  ],
  ['a CSV export (header)', csvEventsReader, 'EventID,Channel,Image,__proto__,constructor,toString\r\n1,Microsoft-Windows-Sysmon/Operational,C:\\x.exe,p,c,t\r\n'],
  [
    'an audit log (record keys)',
    auditdReader,
    'type=SYSCALL msg=audit(1796693240.956:7): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 uid=0 comm="x" exe="/usr/bin/x" __proto__=p constructor=c toString=t key=(null)\n' +
      'type=EOE msg=audit(1796693240.956:7): \n',
  ],
  ['an Elastic Defend document (kept members)', ecsReader, `{"@timestamp":"2026-11-27T09:14:01Z","event":{"category":["process"],"type":["start"]},"process":{"executable":"/usr/bin/x"},${jsonMembers}}\n`],
  [
    "an OTRF row's EventData XML (lifted beside the columns)",
    otrfReader,
    `{"@timestamp":"2026-11-27T09:14:01Z","Hostname":"h","EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","EventData":"<EventData><Data Name=\\"Image\\">C:\\\\x.exe</Data><Data Name=\\"__proto__\\">p</Data><Data Name=\\"constructor\\">c</Data><Data Name=\\"toString\\">t</Data></EventData>"}\n`,
  ],
];

const own = (event: NormalizedEvent) => EXPECTED.map(([k]) => [k, Object.getOwnPropertyDescriptor(event.fields, k)?.value]);

describe('field names that are also members of every object', () => {
  for (const [what, reader, text] of cases) {
    it(`stay fields: ${what}`, async () => {
      const { events, bad } = await readWith(reader, Readable.from([text]), 'input');
      expect(bad).toEqual([]);
      expect(events).toHaveLength(1);
      expect(own(events[0]!)).toEqual(EXPECTED);
      expect(Object.getPrototypeOf(events[0]!.fields)).toBe(Object.prototype);
      // Printed as fields too (what dump and the alert outputs write).
      expect(JSON.stringify(events[0]!.fields)).toContain('"__proto__":"p"');
    });
  }
});

describe('field names that are also members of every object, in a native EVTX file', () => {
  it('stay fields: names from the chunks\' name tables (a Sysmon file whose ProcessId is renamed __proto__)', async () => {
    const file = corpusEvtxFiles().find((f) => /PanacheSysmon_vs_AtomicRedTeam01/.test(f))!;
    const bytes = Buffer.from(readFileSync(file));
    const [from, to] = [Buffer.from('ProcessId', 'utf16le'), Buffer.from('__proto__', 'utf16le')];
    for (let at = bytes.indexOf(from); at !== -1; at = bytes.indexOf(from, at + 1)) to.copy(bytes, at);
    const { events, bad } = await readWith(evtxReader, Readable.from([bytes]), 'renamed.evtx');
    // The renamed names break the chunks' checksums, which are reported; every record is still read.
    expect(bad.every((b) => /CRC32 mismatch/.test(b.reason))).toBe(true);
    const starts = events.filter((e) => e.fields.EventID === 1);
    expect(starts.length).toBeGreaterThan(10);
    for (const event of starts) {
      expect(Object.getOwnPropertyDescriptor(event.fields, '__proto__')?.value).toEqual(expect.anything());
      expect(Object.getPrototypeOf(event.fields)).toBe(Object.prototype);
    }
  });
});
