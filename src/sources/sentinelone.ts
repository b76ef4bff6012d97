/**
 * SentinelOne endpoint telemetry (Deep Visibility / Singularity Data Lake events, as its
 * PowerQuery and Event Search export them): documents with `event.type` and the acting process
 * as `src.process.*` — flat dotted keys or nested objects; NDJSON, a JSON array or
 * pretty-printed, bare or as Elasticsearch hits; a CSV export goes through csv-events.ts to the
 * same mapping.
 *
 * | event.type (any case) | Sigma category |
 * |---|---|
 * | Process Creation | process_creation: the created process is `tgt.process.*`, its parent `src.process.*` |
 * | File Creation, File Modification / File Rename / File Deletion, File Delete | file_event / file_rename / file_delete |
 * | IP Connect | network_connection |
 * | DNS Resolved, DNS Unresolved | dns_query |
 * | Registry Key Create / Registry Value Modified, Registry Value Create / Registry Key Delete, Registry Value Delete | registry_add / registry_set / registry_delete |
 * | ModuleLoad, Module Load / Named Pipe Creation | image_load / pipe_created |
 *
 * The Sigma names are those SentinelOne's PowerQuery Sigma pipeline translates them to: for other
 * events the acting process (`src.process.image.path` → Image, `cmdline`, `pid`, `user`, its
 * parent's path and command line), TargetFilename/SourceFilename from `tgt.file.path`/`oldPath`,
 * DestinationIp/Port and SourceIp/Port from `dst.*`/`src.*`, QueryName from `event.dns.request`,
 * TargetObject/Details from `registry.keyPath`/`value`, ImageLoaded from `module.path`, PipeName
 * from `namedPipe.name`; ProcessGuid/ParentProcessGuid from the processes' `uid`s (the process
 * tree links by them), Hashes, IntegrityLevel as Sysmon spells it. Product from `endpoint.os`
 * (osx → macos); host from `endpoint.name`; time from `event.time`, else `@timestamp`. The
 * document is kept beside the Sigma names.
 */
import type { FieldValue, Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { ownEntry } from '../own-entry.js';
import { at, keepDocument, setIfPresent } from './ecs-fields.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { stringOf, type JsonObject } from './json-util.js';
import type { SplittableReader } from './reader.js';
import { sysmonHashes, sysmonRegistryPath } from './sysmon-values.js';
import { parseTime } from './time.js';

const FORMAT = 'sentinelone';

const CATEGORIES: Record<string, string> = {
  'process creation': 'process_creation',
  'file creation': 'file_event',
  'file modification': 'file_event',
  'file rename': 'file_rename',
  'file deletion': 'file_delete',
  'file delete': 'file_delete',
  'ip connect': 'network_connection',
  'dns resolved': 'dns_query',
  'dns unresolved': 'dns_query',
  'registry key create': 'registry_add',
  'registry value modified': 'registry_set',
  'registry value create': 'registry_set',
  'registry key delete': 'registry_delete',
  'registry value delete': 'registry_delete',
  moduleload: 'image_load',
  'module load': 'image_load',
  'named pipe creation': 'pipe_created',
};

const PRODUCTS: Record<string, string> = { windows: 'windows', linux: 'linux', osx: 'macos', macos: 'macos' };

export const sentinelOneReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: splitsDocuments,
  description: 'SentinelOne Deep Visibility / Data Lake events (event.type, src.process.*, tgt.*), flat or nested, bare or as Elasticsearch hits',
  sniff(head) {
    const first = firstDocument(head) as JsonObject | undefined;
    if (first === undefined || typeof at(first, 'event.type') !== 'string') return 0;
    return at(first, 'src.process.name') !== undefined || at(first, 'src.process.image.path') !== undefined ? 0.85 : 0;
  },
  read: (input, ctx) => readDocuments(input, ctx, FORMAT, sentinelOneEvent),
};

/** One SentinelOne event (also a row of its CSV export: csv-events.ts) as a normalized event. */
export function sentinelOneEvent(doc: Fields, source: Provenance): NormalizedEvent {
  const category = ownEntry(CATEGORIES, (stringOf(at(doc, 'event.type')) ?? '').toLowerCase());
  const fields: Fields = {};
  const put = (name: string, path: string) => {
    const value = at(doc, path);
    if (value !== '') setIfPresent(fields, name, value);
  };
  if (category === 'process_creation') {
    put('Image', 'tgt.process.image.path');
    put('CommandLine', 'tgt.process.cmdline');
    put('ProcessId', 'tgt.process.pid');
    put('ProcessGuid', 'tgt.process.uid');
    put('User', 'tgt.process.user');
    put('Description', 'tgt.process.displayName');
    put('Company', 'tgt.process.publisher');
    put('ParentImage', 'src.process.image.path');
    put('ParentCommandLine', 'src.process.cmdline');
    put('ParentProcessId', 'src.process.pid');
    put('ParentProcessGuid', 'src.process.uid');
    setIfPresent(fields, 'IntegrityLevel', integrityLevel(at(doc, 'tgt.process.integrityLevel')));
    setIfPresent(fields, 'Hashes', hashes(doc, 'tgt.process.image'));
  } else {
    put('Image', 'src.process.image.path');
    put('CommandLine', 'src.process.cmdline');
    put('ProcessId', 'src.process.pid');
    put('ProcessGuid', 'src.process.uid');
    put('User', 'src.process.user');
    put('ParentImage', 'src.process.parent.image.path');
    put('ParentCommandLine', 'src.process.parent.cmdline');
  }
  put('TargetFilename', 'tgt.file.path');
  if (category === 'file_rename') put('SourceFilename', 'tgt.file.oldPath');
  put('DestinationIp', 'dst.ip.address');
  put('DestinationPort', 'dst.port.number');
  put('SourceIp', 'src.ip.address');
  put('SourcePort', 'src.port.number');
  // An IP Connect is the endpoint's own connection unless its direction says otherwise.
  if (category === 'network_connection') setIfPresent(fields, 'Initiated', initiated(stringOf(at(doc, 'event.network.direction'))) ?? 'true');
  put('QueryName', 'event.dns.request');
  put('QueryResults', 'event.dns.response');
  setIfPresent(fields, 'TargetObject', sysmonRegistryPath(stringOf(at(doc, 'registry.keyPath'))));
  put('Details', 'registry.value');
  put('ImageLoaded', 'module.path');
  put('PipeName', 'namedPipe.name');
  keepDocument(fields, doc);

  const event: NormalizedEvent = { fields, source };
  if (category !== undefined) event.category = category;
  const product = ownEntry(PRODUCTS, (stringOf(at(doc, 'endpoint.os')) ?? '').toLowerCase());
  if (product !== undefined) event.product = product;
  const time = parseTime(at(doc, 'event.time')) ?? parseTime(doc['@timestamp']) ?? parseTime(doc.timestamp);
  if (time !== undefined) event.time = time;
  const host = stringOf(at(doc, 'endpoint.name')) ?? stringOf(at(doc, 'agent.computerName'));
  if (host !== undefined) event.host = host;
  const user = stringOf(fields.User);
  if (user !== undefined) event.user = user;
  return event;
}

/** SentinelOne writes `MEDIUM`, `HIGH`, `SYSTEM`; Sysmon `Medium`, `High`, `System`. */
function integrityLevel(value: FieldValue | undefined): string | undefined {
  const text = stringOf(value);
  return text === undefined ? undefined : text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

function hashes(doc: JsonObject, image: string): string | undefined {
  return sysmonHashes([['SHA1', at(doc, `${image}.sha1`)], ['MD5', at(doc, `${image}.md5`)], ['SHA256', at(doc, `${image}.sha256`)]]);
}

function initiated(direction: string | undefined): string | undefined {
  const d = direction?.toLowerCase();
  return d === 'outgoing' || d === 'outbound' ? 'true' : d === 'incoming' || d === 'inbound' ? 'false' : undefined;
}
