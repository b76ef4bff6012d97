import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defenderReader } from '../../../src/sources/defender.js';
import { tableOf } from '../../../src/sources/defender-mapping.js';
import { sniffFormat } from '../../../src/sources/open.js';
import { readWith, withoutSource } from '../helpers.js';

const WIN = fileURLToPath(new URL('../../fixtures/windows/', import.meta.url));
const read = (name: string, file = name) => readWith(defenderReader, createReadStream(WIN + name), file);

describe('defender reader', () => {
  it('sniffs the portal CSV and the API JSON', () => {
    expect(sniffFormat(readFileSync(WIN + 'atomic-1-3-4.defender.csv', 'utf8'))?.format).toBe('defender');
    expect(sniffFormat(readFileSync(WIN + 'atomic-1-3-4.defender.json', 'utf8'))?.format).toBe('defender');
  });

  it('maps process, file and network rows to Sigma categories and names', async () => {
    const { events, bad } = await read('atomic-1-3-4.defender.csv');
    expect(bad).toEqual([]);
    expect(events.map((e) => [e.source.line, e.category, e.product, e.host])).toEqual([
      [2, 'process_creation', 'windows', 'dev-ws-042.corp.example.com'],
      [3, 'file_event', 'windows', 'dev-ws-042.corp.example.com'],
      [4, 'file_event', 'windows', 'dev-ws-042.corp.example.com'],
      [5, 'network_connection', 'windows', 'dev-ws-042.corp.example.com'],
      [6, 'network_connection', 'windows', 'dev-ws-042.corp.example.com'],
    ]);
    const [proc, tmp, workflow, local, npmjs] = events.map((e) => e.fields);
    expect(proc).toMatchObject({
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd.exe /d /s /c "whoami > %TEMP%\\argus-npm-test.txt"',
      ParentImage: 'c:\\program files\\nodejs\\node.exe',
      ParentCommandLine: '"node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install argus-test-pkg',
      User: 'corp\\alice',
      OriginalFileName: 'Cmd.Exe',
      ProcessId: '7312',
      ParentProcessId: '6120',
    });
    expect(String(proc!.Hashes)).toMatch(/^SHA1=[0-9A-F]{40},MD5=[0-9A-F]{32},SHA256=[0-9A-F]{64}$/);
    expect(tmp).toMatchObject({ TargetFilename: 'C:\\Users\\alice\\AppData\\Local\\Temp\\argus-npm-test.txt', Image: 'c:\\windows\\system32\\cmd.exe' });
    expect(workflow!.TargetFilename).toBe('C:\\src\\app\\.github\\workflows\\ci.yml');
    expect(local).toMatchObject({ Image: 'c:\\program files\\nodejs\\node.exe', DestinationIp: '127.0.0.1', DestinationPort: '4873', Initiated: 'true' });
    // RemoteUrl was empty: no hostname, no URL (absent, not '').
    expect(local).not.toHaveProperty('URL');
    expect(local).not.toHaveProperty('DestinationHostname');
    expect(npmjs).toMatchObject({ DestinationHostname: 'registry.npmjs.org', URL: 'registry.npmjs.org', DestinationPort: '443' });
    expect(events[0]!.time).toBe(Date.UTC(2026, 10, 27, 9, 14, 2, 120));
  });

  it('JSON API output without a $table column gives the same events (tables inferred from ActionType)', async () => {
    const csv = await read('atomic-1-3-4.defender.csv');
    const json = await read('atomic-1-3-4.defender.json');
    expect(json.bad).toEqual([]);
    expect(json.events.map((e) => e.source.record)).toEqual([0, 1, 2, 3, 4]);
    // Same categories and Sigma fields; JSON numbers stay numbers, CSV cells are strings.
    const sigma = (events: typeof csv.events) =>
      withoutSource(events).map(({ fields, ...rest }) => ({ ...rest, fields: Object.fromEntries(['Image', 'CommandLine', 'ParentImage', 'TargetFilename', 'DestinationIp', 'URL', 'User'].map((k) => [k, fields[k]])) }));
    expect(sigma(json.events)).toEqual(sigma(csv.events));
  });

  it("the device timeline's CSV export (columns named with spaces) gives the Advanced Hunting CSV's events", async () => {
    // test/fixtures/windows/atomic-1-3-4.defender-timeline.csv: the same five rows under the timeline
    // export's header (its 65 columns, in its order), Event Time without a zone.
    expect(sniffFormat(readFileSync(WIN + 'atomic-1-3-4.defender-timeline.csv', 'utf8'))?.format).toBe('defender');
    const hunting = await read('atomic-1-3-4.defender.csv');
    const timeline = await read('atomic-1-3-4.defender-timeline.csv');
    expect(timeline.bad).toEqual([]);
    const sigma = (events: typeof hunting.events) =>
      withoutSource(events).map(({ fields, ...rest }) => ({ ...rest, fields: Object.fromEntries(['Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'TargetFilename', 'DestinationIp', 'DestinationPort', 'DestinationHostname', 'URL', 'User', 'ProcessId', 'Hashes'].map((k) => [k, fields[k]])) }));
    expect(sigma(timeline.events)).toEqual(sigma(hunting.events));
    expect(timeline.events[0]!.fields).toMatchObject({ Timestamp: '2026-11-27T09:14:02.120', DeviceName: 'dev-ws-042.corp.example.com', InitiatingProcessFileName: 'node.exe' });
  });

  it('takes the table from $table/Type/Event Hub category, then the file name, then ActionType/columns', async () => {
    expect(tableOf({ $table: 'DeviceFileEvents', RemoteIP: '1.2.3.4' }, undefined)).toBe('DeviceFileEvents');
    expect(tableOf({ category: 'AdvancedHunting-DeviceNetworkEvents' }, 'DeviceFileEvents')).toBe('DeviceNetworkEvents');
    expect(tableOf({ ActionType: 'ProcessCreated' }, 'DeviceEvents')).toBe('DeviceEvents');
    expect(tableOf({ ActionType: 'ConnectionFailed' }, undefined)).toBe('DeviceNetworkEvents');
    expect(tableOf({ ActionType: 'FileDeleted' }, undefined)).toBe('DeviceFileEvents');
    expect(tableOf({ ActionType: 'DnsQueryResponse' }, undefined)).toBe('DeviceEvents');
    expect(tableOf({ ProcessCommandLine: 'x' }, undefined)).toBe('DeviceProcessEvents');
    const hub = JSON.stringify({
      records: [
        { time: '2026-11-27T09:31:45.2201113Z', category: 'AdvancedHunting-DeviceNetworkEvents', properties: { DeviceName: 'h1', ActionType: 'ConnectionSuccess', RemoteIP: '198.51.100.7', RemotePort: 4873, RemoteUrl: 'npm.evil.example', InitiatingProcessFolderPath: '/usr/bin/node', InitiatingProcessFileName: 'node' } },
        { time: '2026-11-27T09:31:46Z', category: 'AdvancedHunting-DeviceEvents', properties: { DeviceName: 'h1', ActionType: 'DnsQueryResponse', AdditionalFields: '{"DnsQueryString":"npm.evil.example"}', InitiatingProcessFolderPath: '/usr/bin/node' } },
        42,
      ],
    });
    const { events, bad } = await readWith(defenderReader, Readable.from([hub]), 'hub.json');
    expect(bad).toEqual([{ file: 'hub.json', format: 'defender', line: 1, record: 2, reason: 'row is not a JSON object' }]);
    expect(events.map((e) => [e.category, e.product, e.fields.Image, e.fields.URL ?? e.fields.QueryName])).toEqual([
      ['network_connection', 'linux', '/usr/bin/node', 'npm.evil.example'],
      ['dns_query', 'linux', '/usr/bin/node', 'npm.evil.example'],
    ]);
    expect(events[0]!.time).toBe(Date.UTC(2026, 10, 27, 9, 31, 45, 220));
  });

  it('reports short rows and rows that are not Defender rows with their line, and goes on', async () => {
    const csv = 'Timestamp,DeviceName,ActionType,FileName,FolderPath\r\n2026-11-27T09:00:00Z,h,FileCreated,a.txt,C:\\a.txt\r\nonly,two\r\n,,,x,y\r\n2026-11-27T09:00:01Z,h,FileDeleted,b.txt,C:\\b\r\n';
    const { events, bad } = await readWith(defenderReader, Readable.from([csv]), 'DeviceFileEvents.csv');
    expect(bad.map((b) => [b.line, b.reason])).toEqual([
      [3, '2 cells, header has 5'],
      [4, 'not a Defender row (no DeviceName, ActionType or Timestamp)'],
    ]);
    expect(events.map((e) => [e.source.line, e.category, e.fields.TargetFilename])).toEqual([
      [2, 'file_event', 'C:\\a.txt'],
      [5, 'file_delete', 'C:\\b\\b.txt'],
    ]);
  });
});
