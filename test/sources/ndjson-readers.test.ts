import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BATCH_SIZE } from '../../src/sources/event-batches.js';
import { otrfReader } from '../../src/sources/otrf.js';
import { sigmaNdjsonReader } from '../../src/sources/sigma-ndjson.js';
import { winlogbeatReader } from '../../src/sources/winlogbeat.js';
import { readFixture, readWith } from './helpers.js';

describe('winlogbeat', () => {
  it('maps winlog.event_data and winlog.* and reports bad lines by number', async () => {
    const { events, bad } = await readFixture(winlogbeatReader, 'winlogbeat.ndjson');
    expect(bad.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([
      [3, 'invalid JSON'],
      [5, 'no winlog object'],
    ]);
    expect(events.map((e) => [e.source.line, e.category])).toEqual([
      [1, 'process_creation'],
      [2, 'network_connection'],
      [4, 'process_creation'],
    ]);
    expect(events[0]).toMatchObject({ host: 'DEV-WS01', service: 'sysmon', time: Date.UTC(2023, 10, 14, 22, 13, 20, 120) });
    expect(events[0].fields).toMatchObject({ EventID: 1, ProcessId: '4242', ParentCommandLine: 'node install.js', EventRecordID: 101 });
  });

  it('fills Sigma names from ECS where event_data lacks them', async () => {
    const [, network, security] = (await readFixture(winlogbeatReader, 'winlogbeat.ndjson')).events;
    expect(network.fields).toMatchObject({
      Image: 'C:\\Program Files\\nodejs\\node.exe',
      ProcessId: 77,
      DestinationIp: '203.0.113.9',
      DestinationPort: 443,
      DestinationHostname: 'evil.example',
      User: 'DEV-WS01\\alice',
    });
    expect(security.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\cmd.exe', ParentImage: 'C:\\Program Files\\nodejs\\node.exe', User: 'CORP\\alice' });
  });
});

describe('otrf', () => {
  it('reads flat Windows records, lifts Azure JSON EventData, parses a SyslogMessage <Event>', async () => {
    const { events, bad } = await readFixture(otrfReader, 'otrf.ndjson');
    expect(bad.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([
      [3, 'invalid JSON'],
      [6, 'not a JSON object'],
    ]);
    const [sysmon, security, azure, syslog] = events;
    expect(sysmon).toMatchObject({ category: 'process_creation', service: 'sysmon', host: 'WORKSTATION5', user: 'WORKSTATION5\\wardog' });
    expect(security).toMatchObject({ category: 'process_creation', service: 'security', time: Date.UTC(2020, 9, 18, 2, 17, 12, 527) });
    expect(security.fields).toMatchObject({ Image: 'C:\\Python27\\python.exe', User: 'WORKSTATION5\\wardog' });
    expect(security.fields).not.toHaveProperty('ParentImage');
    expect(azure).toMatchObject({ category: 'network_connection', host: 'WORKSTATION5', fields: { Image: 'C:\\tomcat9.exe', DestinationIp: '192.168.2.5' } });
    // Sysmon for Linux EventID 1 in the XML (event-xml.ts); the row's columns are kept beside it.
    expect(syslog).toMatchObject({ host: 'UBUNTU5', source: { line: 5 }, category: 'process_creation', product: 'linux', service: 'sysmon' });
    expect(syslog.fields).toMatchObject({ EventID: '1', Provider_Name: 'Linux-Sysmon', Type: 'Syslog' });
    expect(syslog.fields.SyslogMessage).toMatch(/^<Event>/);
  });
});

describe('otrf on NXLog im_msvistalog JSON', () => {
  // test/fixtures/windows/atomic-1-3-4.nxlog.ndjson: the seed's atomic tests 1, 3 and 4 (the Sysmon
  // XML fixtures) as NXLog's to_json() writes im_msvistalog records, the collector in UTC+1.
  it("takes the time from Sysmon's UtcTime, not NXLog's EventTime (local, no zone)", async () => {
    const { events, bad } = await readFixture(otrfReader, '../windows/atomic-1-3-4.nxlog.ndjson');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.category, e.service])).toEqual([
      ['process_creation', 'sysmon'], ['process_creation', 'sysmon'], ['process_creation', 'sysmon'], ['file_event', 'sysmon'],
      ['process_creation', 'sysmon'], ['file_event', 'sysmon'], ['network_connection', 'sysmon'],
    ]);
    expect(events[0]!.fields.EventTime).toBe('2026-11-27 10:14:01');
    expect(events[0]!.time).toBe(Date.UTC(2026, 10, 27, 9, 14, 1, 874));
    // A zoned EventTime (Azure's Syslog rows) still comes before the other keys.
    const zoned = await readWith(otrfReader, Readable.from([JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', EventTime: '2026-11-27T09:14:05Z', UtcTime: '2026-11-27 09:14:01.874' })]));
    expect(zoned.events[0]!.time).toBe(Date.UTC(2026, 10, 27, 9, 14, 5));
  });
});

describe('sigma-ndjson', () => {
  it('reads flat and normalized lines, skips blank lines, handles CRLF, reports bad lines', async () => {
    const { events, bad } = await readFixture(sigmaNdjsonReader, 'sigma.ndjson');
    expect(bad.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([
      [5, 'invalid JSON'],
      [6, 'not a JSON object'],
    ]);
    expect(events.map((e) => [e.source.line, e.category ?? null, e.product ?? null])).toEqual([
      [1, 'process_creation', 'linux'],
      [3, 'file_event', 'windows'],
      [4, 'process_creation', 'windows'],
      [7, 'network_connection', 'windows'],
      [8, null, null],
    ]);
    expect(events[0]).toMatchObject({ time: Date.UTC(2023, 10, 14, 22, 13, 20, 120), host: 'build-01', user: 'ci' });
    expect(events[2]).toMatchObject({ service: 'sysmon', host: 'DEV-WS01' });
  });

  it('reads the dump shape back, with the new file and line as source', async () => {
    const normalized = (await readFixture(sigmaNdjsonReader, 'sigma.ndjson')).events[3];
    expect(normalized).toEqual({
      time: Date.UTC(2023, 10, 14, 22, 13, 23),
      category: 'network_connection',
      product: 'windows',
      service: 'sysmon',
      host: 'DEV-WS01',
      user: 'alice',
      fields: { Image: 'C:\\node.exe', DestinationIp: '203.0.113.9' },
      source: { file: 'sigma.ndjson', format: 'sigma-ndjson', line: 7 },
    });
  });

  it('yields batches of at most BATCH_SIZE (128) events', async () => {
    expect(BATCH_SIZE).toBe(128);
    const text = '{"Image":"x"}\n'.repeat(2500);
    const result = await readWith(sigmaNdjsonReader, Readable.from([text]));
    expect(result.events).toHaveLength(2500);
    expect(result.batches).toBe(20); // 19 full batches and one of 116
  });
});
