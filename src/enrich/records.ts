/**
 * The few facts of an event that change enrichment state: a process started, a process ended,
 * a name resolved. Extracted separately from annotation so worker threads can catch up with
 * tasks run elsewhere (src/parallel/state-relay.ts): state = fold of records, in input order.
 */
import type { FieldValue, Fields, NormalizedEvent } from '../events/event.js';

/** A process identity: Sysmon's ProcessGuid where present, else pid (+ time for reuse). */
export interface ProcessId {
  guid?: string;
  pid?: number;
}

export interface ProcessStart {
  kind: 'start';
  host: string;
  time?: number;
  self: ProcessId;
  parent: ProcessId;
  image?: string;
  commandLine?: string;
  cwd?: string;
  parentImage?: string;
  parentCommandLine?: string;
}

export interface ProcessEnd {
  kind: 'end';
  host: string;
  time?: number;
  self: ProcessId;
}

export interface NameResolved {
  kind: 'dns';
  host: string;
  time?: number;
  name: string;
  ips: string[];
}

/** A network connection or file write: kept per install subtree as investigation context. */
export interface Activity {
  kind: 'activity';
  host: string;
  time?: number;
  self: ProcessId;
  category: string;
  image?: string;
  /** `host:port` (name where known, else IP) for a connection, the path for a file event. */
  target?: string;
  destinationIp?: string;
  /** file:line (or #record) of the event. */
  where: string;
}

export type StateRecord = ProcessStart | ProcessEnd | NameResolved | Activity;

const NULL_GUID = '00000000-0000-0000-0000-000000000000';

export function str(v: FieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Decimal numbers, numeric strings and 4688's `0x1a2b` hex strings. */
export function pidOf(v: FieldValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  return undefined;
}

/** `{5F1C…}` → `5f1c…`; the all-zero GUID (Sysmon's "no process") and '' → undefined. */
function guidOf(v: FieldValue | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  let g = v.trim();
  if (g.startsWith('{') && g.endsWith('}')) g = g.slice(1, -1);
  g = g.toLowerCase();
  return g === '' || g === NULL_GUID ? undefined : g;
}

/** The identity of the process an event belongs to (or, for a creation, the new process). */
export function processIdOf(fields: Fields): ProcessId {
  return { guid: guidOf(fields.ProcessGuid), pid: pidOf(fields.ProcessId ?? fields.pid) };
}

/** The identity of a creation event's parent process. */
export function parentIdOf(fields: Fields): ProcessId {
  return { guid: guidOf(fields.ParentProcessGuid), pid: pidOf(fields.ParentProcessId ?? fields.ppid) };
}

/** Sysmon 22 `QueryResults` (`type: 5 cname.example;::ffff:1.2.3.4;1.2.3.4;`) or a list of addresses. */
export function parseQueryResults(v: FieldValue | undefined): string[] {
  const parts = typeof v === 'string' ? v.split(';') : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  const ips: string[] = [];
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '' || p.startsWith('type:')) continue; // CNAME and other non-address records
    const ip = normalizeIp(p);
    if (ip && !ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

/** IPv4 as is, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4, other IPv6 lower-cased; else undefined. */
export function normalizeIp(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  const v4 = t.startsWith('::ffff:') ? t.slice(7) : t;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return v4.split('.').every((o) => Number(o) <= 255) ? v4 : undefined;
  if (/^[0-9a-f:]+$/.test(t) && t.includes(':')) return t;
  return undefined;
}

/** The state-changing fact in an event, if any. */
export function stateRecord(event: NormalizedEvent): StateRecord | undefined {
  const f = event.fields;
  const host = event.host ?? '';
  const time = event.time;
  switch (event.category) {
    case 'process_creation':
      return {
        kind: 'start', host, time,
        self: processIdOf(f),
        parent: parentIdOf(f),
        image: str(f.Image), commandLine: str(f.CommandLine), cwd: str(f.CurrentDirectory),
        parentImage: str(f.ParentImage), parentCommandLine: str(f.ParentCommandLine),
      };
    case 'process_termination':
      return { kind: 'end', host, time, self: processIdOf(f) };
    case 'dns_query':
    case 'dns': {
      const name = str(f.QueryName);
      const ips = parseQueryResults(f.QueryResults);
      return name && ips.length > 0 ? { kind: 'dns', host, time, name, ips } : undefined;
    }
    case 'network_connection':
    case 'file_event':
      return {
        kind: 'activity', host, time, self: processIdOf(f), category: event.category, image: str(f.Image),
        target: event.category === 'file_event' ? str(f.TargetFilename) : destination(f),
        destinationIp: typeof f.DestinationIp === 'string' ? normalizeIp(f.DestinationIp) : undefined,
        where: where(event),
      };
    default:
      return undefined;
  }
}

function destination(f: Fields): string | undefined {
  const name = str(f.DestinationHostname);
  const hostPart = name !== undefined && name !== '-' ? name : str(f.DestinationIp);
  if (hostPart === undefined) return undefined;
  const port = str(f.DestinationPort);
  return port === undefined ? hostPart : `${hostPart}:${port}`;
}

function where(event: NormalizedEvent): string {
  const s = event.source;
  return s.line !== undefined ? `${s.file}:${s.line}` : s.record !== undefined ? `${s.file}#${s.record}` : s.file;
}
