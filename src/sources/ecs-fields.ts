/**
 * Elastic Common Schema documents → Sigma field names: what the winlogbeat reader fills beside a
 * document's `winlog.event_data`, and what the ecs reader reads endpoint documents by.
 */
import { type FieldValue, type Fields, hasField, setField } from '../events/event.js';
import { isObject, type JsonObject } from './json-util.js';
import { sysmonUser } from './sysmon-values.js';

/** Sigma field ← ECS dotted path, applied only where the event has no such field. */
const ECS_TO_SIGMA: ReadonlyArray<readonly [string, string]> = [
  ['Image', 'process.executable'],
  ['CommandLine', 'process.command_line'],
  ['ProcessId', 'process.pid'],
  ['CurrentDirectory', 'process.working_directory'],
  ['ParentImage', 'process.parent.executable'],
  ['ParentCommandLine', 'process.parent.command_line'],
  ['ParentProcessId', 'process.parent.pid'],
  ['SourceIp', 'source.ip'],
  ['SourcePort', 'source.port'],
  ['DestinationIp', 'destination.ip'],
  ['DestinationPort', 'destination.port'],
  ['DestinationHostname', 'destination.domain'],
  ['Protocol', 'network.transport'],
  ['TargetFilename', 'file.path'],
  ['QueryName', 'dns.question.name'],
];

/** The paths' keys, split once: every event reads some thirty paths. */
const SEGMENTS = new Map<string, readonly string[]>();

/** Value at an ECS dotted path, whether nested (`{"process": {"pid": 1}}`) or flat (`"process.pid"`). */
export function at(doc: JsonObject, path: string): FieldValue | undefined {
  const flat = doc[path];
  if (flat !== undefined) return flat;
  let keys = SEGMENTS.get(path);
  if (keys === undefined) SEGMENTS.set(path, (keys = path.split('.')));
  let node: FieldValue | undefined = doc;
  for (let i = 0; i < keys.length; i++) {
    if (!isObject(node)) return undefined;
    node = node[keys[i]!];
  }
  return node;
}

export function setIfPresent(fields: Fields, key: string, value: FieldValue | undefined): void {
  if (value !== undefined && value !== null && fields[key] === undefined) fields[key] = value;
}

/** The Sigma names ECS_TO_SIGMA gives, set where `fields` has none. */
export function setEcsSigmaFields(fields: Fields, doc: JsonObject): void {
  for (const [sigma, path] of ECS_TO_SIGMA) setIfPresent(fields, sigma, at(doc, path));
}

/** The account as Sysmon's `User` writes it, from `user.domain` and `user.name`. */
export function ecsUser(doc: JsonObject): string | undefined {
  return sysmonUser(at(doc, 'user.domain'), at(doc, 'user.name'));
}

/** The document's own members beside the Sigma names (nothing is lost), where `fields` has none of the name. */
export function keepDocument(fields: Fields, doc: JsonObject): void {
  for (const [key, value] of Object.entries(doc)) if (!hasField(fields, key)) setField(fields, key, value);
}
