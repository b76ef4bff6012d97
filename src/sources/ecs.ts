/**
 * Elastic Common Schema endpoint documents that are not Winlogbeat's (no `winlog` object): Elastic
 * Defend's events (`logs-endpoint.events.process|network|file|registry|library-*`, on Windows,
 * Linux and macOS), Auditbeat's (auditd and system modules) and any integration that writes ECS's
 * process, network and file fields; NDJSON, a JSON array or pretty-printed, bare or as
 * Elasticsearch / OpenSearch hits (elastic-hits.ts).
 *
 * The Sigma category comes from ECS's categorization, `event.category` with `event.type` (each a
 * keyword or a list) and `event.action`:
 *
 * | ECS | Sigma category |
 * |---|---|
 * | process, type start (not Linux's `fork`: the image is the parent's until the exec) | process_creation |
 * | process, type end | process_termination |
 * | network with `dns.question.name` | dns_query |
 * | network, type start or connection | network_connection |
 * | file, type creation (action creation or overwrite) | file_event |
 * | file, type deletion / action rename | file_delete / file_rename |
 * | registry, type creation / change / deletion | registry_add / registry_set / registry_delete |
 * | library, driver | image_load, driver_load |
 *
 * Fields get their Sigma names beside the document's own (ecs-fields.ts, plus: CommandLine from
 * `process.args` where there is no command line (Auditbeat), ProcessGuid from `entity_id` (the
 * process tree links by it), `process.pe.*`, Hashes in Sysmon's `MD5=…,SHA256=…` form,
 * IntegrityLevel, TargetObject (hives as Sysmon names them: `HKLM\`, `HKU\`) and Details from `registry.*`, ImageLoaded, SourceFilename of a
 * rename, Initiated from `network.direction`, User as `DOMAIN\name`). Product from `host.os`.
 */
import type { FieldValue, Fields, NormalizedEvent, Provenance } from '../events/event.js';
import { at, ecsUser, keepDocument, setEcsSigmaFields, setIfPresent } from './ecs-fields.js';
import { firstDocument, readDocuments, splitsDocuments } from './elastic-hits.js';
import { isObject, stringOf, type JsonObject } from './json-util.js';
import type { SplittableReader } from './reader.js';
import { sysmonHashes, sysmonRegistryPath } from './sysmon-values.js';
import { parseTime } from './time.js';

const FORMAT = 'ecs';

/** ECS's `event.category` values an endpoint event of this reader has. */
const ENDPOINT_CATEGORIES = new Set(['process', 'network', 'file', 'registry', 'library', 'driver']);

export const ecsReader: SplittableReader = {
  format: FORMAT,
  splittable: true,
  splitsInput: splitsDocuments,
  description: 'Elastic Common Schema endpoint events (Elastic Defend, Auditbeat): event.category, process.*, file.*, network.*, bare or as Elasticsearch hits',
  sniff(head) {
    const first = firstDocument(head);
    if (first === undefined || isObject(first.winlog)) return 0;
    return keywords(at(first as JsonObject, 'event.category')).some((c) => ENDPOINT_CATEGORIES.has(c)) ? 0.8 : 0;
  },
  read: (input, ctx) => readDocuments(input, ctx, FORMAT, ecsDocumentEvent),
};

/** One ECS document (nested, or flat with dotted keys as in a Kibana CSV report) as an event. */
export function ecsDocumentEvent(doc: Fields, source: Provenance): NormalizedEvent {
  const fields: Fields = {};
  setEcsSigmaFields(fields, doc);
  setIfPresent(fields, 'CommandLine', joined(at(doc, 'process.args')));
  setIfPresent(fields, 'ParentCommandLine', joined(at(doc, 'process.parent.args')));
  setIfPresent(fields, 'ProcessGuid', at(doc, 'process.entity_id'));
  setIfPresent(fields, 'ParentProcessGuid', at(doc, 'process.parent.entity_id'));
  setIfPresent(fields, 'OriginalFileName', at(doc, 'process.pe.original_file_name'));
  setIfPresent(fields, 'Description', at(doc, 'process.pe.description'));
  setIfPresent(fields, 'Product', at(doc, 'process.pe.product'));
  setIfPresent(fields, 'Company', at(doc, 'process.pe.company'));
  setIfPresent(fields, 'FileVersion', at(doc, 'process.pe.file_version'));
  setIfPresent(fields, 'IntegrityLevel', at(doc, 'process.Ext.token.integrity_level_name'));
  const category = categoryOf(doc);
  const loaded = category === 'image_load' ? (at(doc, 'dll.path') ?? at(doc, 'file.path')) : category === 'driver_load' ? (at(doc, 'file.path') ?? at(doc, 'dll.path')) : undefined;
  setIfPresent(fields, 'ImageLoaded', loaded);
  setIfPresent(fields, 'Hashes', hashes(doc, category === 'image_load' ? 'dll' : 'process'));
  setIfPresent(fields, 'TargetObject', sysmonRegistryPath(stringOf(at(doc, 'registry.path'))));
  setIfPresent(fields, 'Details', joined(at(doc, 'registry.data.strings')));
  if (category === 'file_rename') setIfPresent(fields, 'SourceFilename', at(doc, 'file.Ext.original.path'));
  setIfPresent(fields, 'Initiated', initiated(stringOf(at(doc, 'network.direction'))));
  setIfPresent(fields, 'QueryResults', joined(at(doc, 'dns.resolved_ip'), ';'));
  setIfPresent(fields, 'User', ecsUser(doc));
  const host = stringOf(at(doc, 'host.name')) ?? stringOf(at(doc, 'host.hostname'));
  setIfPresent(fields, 'Computer', host);
  keepDocument(fields, doc);

  const event: NormalizedEvent = { fields, source };
  if (category !== undefined) event.category = category;
  const product = productOf(doc);
  if (product !== undefined) event.product = product;
  const time = parseTime(doc['@timestamp']);
  if (time !== undefined) event.time = time;
  if (host !== undefined && host !== '') event.host = host;
  if (typeof fields.User === 'string' && fields.User !== '') event.user = fields.User;
  return event;
}

function categoryOf(doc: JsonObject): string | undefined {
  const categories = keywords(at(doc, 'event.category'));
  const types = keywords(at(doc, 'event.type'));
  const action = stringOf(at(doc, 'event.action'))?.toLowerCase();
  if (categories.includes('process')) {
    if (types.includes('start') && action !== 'fork') return 'process_creation';
    return types.includes('end') ? 'process_termination' : undefined;
  }
  if (categories.includes('network')) {
    if (at(doc, 'dns.question.name') !== undefined) return 'dns_query';
    return types.includes('start') || types.includes('connection') ? 'network_connection' : undefined;
  }
  if (categories.includes('file')) {
    if (action === 'rename') return 'file_rename';
    if (types.includes('deletion')) return 'file_delete';
    return types.includes('creation') || action === 'overwrite' ? 'file_event' : undefined;
  }
  if (categories.includes('registry')) {
    if (types.includes('deletion')) return 'registry_delete';
    if (types.includes('creation')) return 'registry_add';
    return types.includes('change') ? 'registry_set' : undefined;
  }
  if (categories.includes('library')) return 'image_load';
  if (categories.includes('driver')) return 'driver_load';
  return undefined;
}

/** Sigma's products from `host.os`: its `type` (ECS 1.8+), else its family, platform, name or kernel; else a Windows path. */
function productOf(doc: JsonObject): string | undefined {
  const os = (path: string) => stringOf(at(doc, path))?.toLowerCase();
  const type = os('host.os.type');
  if (type === 'windows' || type === 'linux' || type === 'macos') return type;
  const family = os('host.os.family');
  const platform = os('host.os.platform');
  if (family === 'windows' || platform === 'windows') return 'windows';
  if (family === 'macos' || family === 'darwin' || platform === 'darwin' || platform === 'macos') return 'macos';
  if (os('host.os.name') === 'linux' || /linux/.test(os('host.os.kernel') ?? '') || family === 'debian' || family === 'redhat' || family === 'suse' || family === 'arch') return 'linux';
  // No host.os (a CSV report shows only the columns chosen): a drive-letter or UNC path is Windows's.
  const path = stringOf(at(doc, 'process.executable')) ?? stringOf(at(doc, 'file.path')) ?? stringOf(at(doc, 'dll.path'));
  return path !== undefined && /^(?:[A-Za-z]:\\|\\\\)/.test(path) ? 'windows' : undefined;
}

/** `event.category` and `event.type` are keywords or lists of them (in a CSV report, joined with commas). */
function keywords(value: FieldValue | undefined): string[] {
  if (typeof value === 'string') return value.toLowerCase().split(/\s*,\s*/);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()) : [];
}

/** A list of strings as one (process.args as a command line), or undefined. */
function joined(value: FieldValue | undefined, separator = ' '): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(separator);
}

/** The digests of an object (`process`, `dll`) in Sysmon's `Hashes` order, as ECS paths. */
const HASH_PATHS = {
  process: [['MD5', 'process.hash.md5'], ['SHA1', 'process.hash.sha1'], ['SHA256', 'process.hash.sha256'], ['IMPHASH', 'process.pe.imphash']],
  dll: [['MD5', 'dll.hash.md5'], ['SHA1', 'dll.hash.sha1'], ['SHA256', 'dll.hash.sha256'], ['IMPHASH', 'dll.pe.imphash']],
} as const;

/** Sysmon's `Hashes` from an object's `hash` and `pe.imphash`. */
function hashes(doc: JsonObject, object: keyof typeof HASH_PATHS): string | undefined {
  return sysmonHashes(HASH_PATHS[object].map(([name, path]) => [name, at(doc, path)] as const));
}

function initiated(direction: string | undefined): string | undefined {
  if (direction === 'egress' || direction === 'outbound' || direction === 'outgoing') return 'true';
  if (direction === 'ingress' || direction === 'inbound' || direction === 'incoming') return 'false';
  return undefined;
}
