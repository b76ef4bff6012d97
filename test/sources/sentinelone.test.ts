/**
 * SentinelOne Deep Visibility / Data Lake events (sentinelone.ts).
 * test/fixtures/windows/atomic-1-3-4.sentinelone.ndjson holds the seed's atomic tests 1, 3 and 4
 * (the seven events of test/fixtures/windows/*.sysmon.xml) as SentinelOne's agent reports them,
 * under the field names its PowerQuery Sigma pipeline maps: Process Creation with the created
 * process as `tgt.process.*` and its parent as `src.process.*`, File Creation and IP Connect with
 * the acting process as `src.process.*`, flat dotted keys as PowerQuery exports them.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { csvEventsReader } from '../../src/sources/csv-events.js';
import { sniffFormat } from '../../src/sources/open.js';
import { sentinelOneReader } from '../../src/sources/sentinelone.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

const WIN = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
const FILE = `${WIN}atomic-1-3-4.sentinelone.ndjson`;
const TEXT = readFileSync(FILE, 'utf8');
const DOCS = TEXT.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const XML = ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873'].map((n) => `${WIN}${n}.sysmon.xml`);
const read = (text: string) => readWith(sentinelOneReader, Readable.from([text]), 's1.ndjson');

const SIGMA = ['Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'ProcessId', 'ParentProcessId', 'User', 'IntegrityLevel', 'Hashes', 'TargetFilename', 'SourceIp', 'SourcePort', 'DestinationIp', 'DestinationPort', 'Initiated'];
const sigma = (e: NormalizedEvent) => ({
  category: e.category,
  product: e.product,
  time: e.time,
  ...Object.fromEntries(SIGMA.filter((k) => e.fields[k] !== undefined).map((k) => [k, String(e.fields[k])])),
});

/** A flat dotted document as nested objects (`{"src": {"process": {...}}}`), as an API may return it. */
function nested(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(doc)) {
    const keys = path.split('.');
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

describe('sentinelone reader', () => {
  it('is chosen for SentinelOne events, flat or nested; Elastic Defend documents stay ecs', () => {
    expect(sniffFormat(TEXT)?.format).toBe('sentinelone');
    expect(sniffFormat(JSON.stringify(nested(DOCS[0]!)))?.format).toBe('sentinelone');
    expect(sniffFormat(JSON.stringify({ '@timestamp': '2026-11-27T09:14:01Z', event: { category: ['process'], type: ['start'] }, process: { executable: 'C:\\x.exe' } }))?.format).toBe('ecs');
  });

  it('gives the Sigma fields, category and time the Sysmon XML of the same events gives', async () => {
    const { events, bad } = await read(TEXT);
    expect(bad).toEqual([]);
    const fromXml = (await readWith(windowsXmlReader, Readable.from(XML.map((f) => readFileSync(f, 'utf8')).join('\n')))).events;
    const withoutSysmonOnly = (e: ReturnType<typeof sigma>) => {
      // What only Sysmon reports: the parent of a file write's or connection's process, the import hash.
      const { ParentImage: _p, ParentCommandLine: _c, ParentProcessId: _i, ...rest } = e as Record<string, unknown>;
      const kept: Record<string, unknown> = e.category === 'process_creation' ? { ...e } : rest;
      if (typeof kept.Hashes === 'string') kept.Hashes = kept.Hashes.replace(/,IMPHASH=\w+$/, '');
      return kept;
    };
    expect(events.map(sigma).map(withoutSysmonOnly)).toEqual(fromXml.map(sigma).map(withoutSysmonOnly));
    expect(events[1]!.fields).toMatchObject({ ProcessGuid: DOCS[1]!['tgt.process.uid'], ParentProcessGuid: DOCS[1]!['src.process.uid'] });
    expect(events.every((e) => e.host === 'DEV-WS-042')).toBe(true);
  });

  it('reads nested documents as the flat ones', async () => {
    const flat = await read(TEXT);
    const deep = await read(DOCS.map((d) => JSON.stringify(nested(d))).join('\n') + '\n');
    expect(deep.events.map(sigma)).toEqual(flat.events.map(sigma));
  });

  it('reads a CSV export of the same events as csv-events, through the same mapping', async () => {
    const columns = [...new Set(DOCS.flatMap((d) => Object.keys(d)))];
    const cell = (v: unknown) => (v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
    const csv = [columns.join(','), ...DOCS.map((d) => columns.map((c) => cell(d[c])).join(','))].join('\r\n') + '\r\n';
    expect(sniffFormat(csv)?.format).toBe('csv-events');
    const fromCsv = await readWith(csvEventsReader, Readable.from([csv]), 's1.csv');
    expect(fromCsv.bad).toEqual([]);
    expect(fromCsv.events.map(sigma)).toEqual((await read(TEXT)).events.map(sigma));
  });

  it('names the other event types and their fields', async () => {
    const doc = (type: string, extra: object) => JSON.stringify({ 'event.type': type, 'endpoint.os': 'linux', 'src.process.name': 'x', 'src.process.image.path': '/usr/bin/x', ...extra });
    const { events } = await read([
      doc('File Rename', { 'tgt.file.path': '/a/b', 'tgt.file.oldPath': '/a/c' }),
      doc('DNS Resolved', { 'event.dns.request': 'example.net', 'event.dns.response': '198.51.100.7' }),
      doc('Registry Value Modified', { 'endpoint.os': 'windows', 'registry.keyPath': 'HKLM\\SOFTWARE\\Run\\x', 'registry.value': 'c:\\x.exe' }),
      doc('ModuleLoad', { 'endpoint.os': 'osx', 'module.path': '/usr/lib/x.dylib' }),
      doc('IP Listen', {}),
      doc('constructor', {}),
    ].join('\n') + '\n');
    expect(events.map((e) => [e.category, e.product])).toEqual([
      ['file_rename', 'linux'], ['dns_query', 'linux'], ['registry_set', 'windows'], ['image_load', 'macos'], [undefined, 'linux'], [undefined, 'linux'],
    ]);
    expect(events[0]!.fields).toMatchObject({ TargetFilename: '/a/b', SourceFilename: '/a/c', Image: '/usr/bin/x' });
    expect(events[1]!.fields).toMatchObject({ QueryName: 'example.net', QueryResults: '198.51.100.7' });
    expect(events[2]!.fields).toMatchObject({ TargetObject: 'HKLM\\SOFTWARE\\Run\\x', Details: 'c:\\x.exe' });
  });

  it('the seed and hardened packs give the alerts they give on the Sysmon XML', async () => {
    const titles = async (paths: string[], pack: string) => {
      const r = await runCli(['scan', ...paths, '--rules', pack, '--format', 'jsonl']);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: { title: string } }).rule.title).sort();
    };
    for (const pack of ['seed', 'hardened']) expect(await titles([FILE], pack), pack).toEqual(await titles(XML, pack));
  });
});
