/**
 * The one event shape every source produces and every rule sees.
 *
 * Field names follow the Sigma/Sysmon taxonomy (`Image`, `CommandLine`, `ParentImage`,
 * `DestinationHostname`, `TargetFilename`, ...). Readers also keep the source's original
 * fields in `fields`, so a rule written against raw names still works and nothing is lost.
 */

/** A JSON value as it came from the source (nested objects and arrays are kept). */
export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };

export type Fields = Record<string, FieldValue>;

/**
 * `fields[key] = value` for a name that comes from the input. An assignment to `__proto__` sets
 * the object's prototype (or does nothing for a string): the field would vanish. Defined, it is
 * an ordinary field.
 */
export function setField(fields: Fields, key: string, value: FieldValue): void {
  if (key === '__proto__') Object.defineProperty(fields, key, { value, writable: true, enumerable: true, configurable: true });
  else fields[key] = value;
}

/**
 * Whether `fields` has a field named `key` of its own: `fields[key] === undefined` and `key in
 * fields` see Object.prototype's members, so a field named `constructor`, `toString` or
 * `__proto__` from the input would count as present and be skipped.
 */
export function hasField(fields: Fields, key: string): boolean {
  return Object.hasOwn(fields, key);
}

/** Where an event came from, so every alert can be traced back to its record. */
export interface Provenance {
  /** Path of the input file, or `-` for stdin. */
  file: string;
  /** Reader that produced the event, e.g. `qradar-json`, `evtx-json`, `sigma-ndjson`. */
  format: string;
  /** 1-based line number of the record's first line, for line-oriented formats. */
  line?: number;
  /** 0-based record index within the file, for record-oriented formats (JSON arrays, EVTX). */
  record?: number;
  /** Byte offset of the record, where the reader knows it. */
  offset?: number;
}

/** Sigma logsource taxonomy values. */
export interface LogSource {
  /** process_creation, network_connection, file_event, dns_query, registry_set, ... */
  category?: string;
  /** windows, linux, macos */
  product?: string;
  /** sysmon, security, auditd, ... */
  service?: string;
}

export interface NormalizedEvent extends LogSource {
  /** Event time in epoch milliseconds, UTC. Undefined when the source has no usable time. */
  time?: number;
  host?: string;
  user?: string;
  fields: Fields;
  source: Provenance;
}

/** The serialized form printed by `supplywatch dump` and read back by the `normalized` reader. */
export interface SerializedEvent extends LogSource {
  time?: string;
  host?: string;
  user?: string;
  fields: Fields;
  source: Provenance;
}

export function serializeEvent(event: NormalizedEvent): SerializedEvent {
  const out: SerializedEvent = { fields: event.fields, source: event.source };
  if (event.time !== undefined) out.time = new Date(event.time).toISOString();
  if (event.category !== undefined) out.category = event.category;
  if (event.product !== undefined) out.product = event.product;
  if (event.service !== undefined) out.service = event.service;
  if (event.host !== undefined) out.host = event.host;
  if (event.user !== undefined) out.user = event.user;
  return out;
}
