/**
 * osquery's query results as its loggers write them (osqueryd's `osqueryd.results.log`, and the
 * same JSON through the TLS, Kafka, Kinesis or Firehose loggers and Fleet): one JSON object per
 * line, in any of osquery's three forms —
 * - event (the default): `{"name", "hostIdentifier", "calendarTime", "unixTime", "columns": {…},
 *   "action": "added"|"removed"|"snapshot", "decorations"}`, one row;
 * - batch (`--logger_event_type=false`): the same with `"diffResults": {"added": […], "removed": […]}`;
 * - snapshot: `"snapshot": […]` with `"action": "snapshot"`;
 * every column value a string (or typed with `--log_numerics_as_numbers`). A line's rows are
 * events numbered by `record` within their line.
 *
 * The query's name is the user's, so the kind of row is told by its columns, and only rows of
 * osquery's evented tables (those with an event id, `eid`: a row is a thing that happened) get a
 * Sigma category — a scheduled query of the `processes` table lists processes that exist, not
 * starts, and a query joining ports to processes is no process start either:
 *
 * | evented table (its columns) | Sigma category |
 * |---|---|
 * | process_events (Linux audit, macOS OpenBSM), es_process_events `exec`, process_etw_events `ProcessStart` | process_creation |
 * | es_process_events `exit`, process_etw_events `ProcessStop` | process_termination |
 * | socket_events `connect` / `accept` (not Unix sockets) | network_connection |
 * | file_events (FIM) CREATED, UPDATED / DELETED / MOVED_TO; process_file_events write / unlink / rename | file_event / file_delete / file_rename |
 *
 * Sigma names: Image (`path`, process_file_events' `executable`), CommandLine (`cmdline`),
 * CurrentDirectory (`cwd`), ProcessId (`pid`), ParentProcessId (`parent`, `ppid`), User
 * (`username`), ParentImage and ParentCommandLine from the parent's own start earlier in the input
 * (a bounded table per input, by host and pid), TargetFilename/SourceFilename, DestinationIp/Port and SourceIp/Port
 * (`remote_*`, `local_*`), Protocol (6/17 → tcp/udp), Initiated (connect/accept), Hashes. Product:
 * macOS for EndpointSecurity's columns or a macOS system path, Windows for ETW's or a Windows path,
 * else Linux for an absolute path. Time: the row's own `time` (epoch seconds), else `unixTime`,
 * else `calendarTime`. Host: `hostIdentifier` (also Computer). The columns are kept as fields,
 * and the line's own members (`name`, `action`, `decorations`, …) where no column has the name.
 */
import type { Readable } from 'node:stream';
import { type FieldValue, type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { ownEntry } from '../own-entry.js';
import { setIfPresent } from './ecs-fields.js';
import { firstJsonLine } from './json-head.js';
import { isObject, stringOf } from './json-util.js';
import { jsonObjectLine, readLineRecords } from './ndjson.js';
import type { ReadContext, SourceReader } from './reader.js';
import { rememberRecent } from './recent-map.js';
import { sysmonHashes } from './sysmon-values.js';
import { parseTime } from './time.js';

const FORMAT = 'osquery';

export const osqueryReader: SourceReader = {
  format: FORMAT,
  description: "osquery results (osqueryd's results log, TLS / Kafka / Firehose loggers, Fleet): event, batch and snapshot lines; process, socket and file events",
  sniff(head) {
    const first = firstJsonLine(head);
    return first !== undefined && typeof first.hostIdentifier === 'string' && rowsOf(first as Fields) !== undefined ? 0.85 : 0;
  },
  read: readOsquery,
};

interface Row {
  columns: Fields;
  action: string | undefined;
}

/** The rows of a result line in any of osquery's forms; undefined when it holds none of them. */
function rowsOf(line: Fields): Row[] | undefined {
  if (isObject(line.columns)) return [{ columns: line.columns, action: stringOf(line.action) }];
  const diff = line.diffResults;
  if (isObject(diff)) {
    const rows: Row[] = [];
    for (const action of ['added', 'removed']) {
      const list = diff[action];
      if (Array.isArray(list)) for (const columns of list) if (isObject(columns)) rows.push({ columns, action });
    }
    return rows;
  }
  if (Array.isArray(line.snapshot)) return line.snapshot.filter(isObject).map((columns) => ({ columns, action: 'snapshot' }));
  return undefined;
}

/** Each line's rows as events, numbered by `record` within a line of several (or of a batch or snapshot). */
function readOsquery(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const mapper = createOsqueryMapper();
  return readLineRecords(input, ctx, FORMAT, (text, where) => {
    const line = jsonObjectLine(text);
    const rows = typeof line === 'string' ? line : rowsOf(line);
    if (rows === undefined) return 'an osquery result line holds columns, diffResults or a snapshot';
    if (typeof rows === 'string') return rows;
    const numbered = rows.length > 1 || !isObject((line as Fields).columns);
    return rows.map((row, r) => mapper(line as Fields, row, numbered ? { ...where, record: r } : where));
  });
}

/** Processes remembered per input (by host and pid): a start's parent. */
const MAX_PROCESSES = 65_536;

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp' };

type Kind = 'process' | 'socket' | 'file' | 'process_file';

/** The mapper of one input, with its table of processes started. */
function createOsqueryMapper(): (line: Fields, row: Row, source: Provenance) => NormalizedEvent {
  const processes = new Map<string, { image: string | undefined; commandLine: string | undefined }>();

  return (line, { columns: c, action }, source) => {
    const host = stringOf(line.hostIdentifier);
    const kind = kindOf(c);
    const category = kind === undefined ? undefined : categoryOf(kind, c);
    const fields: Fields = {};
    const image = kind === 'process_file' ? stringOf(c.executable) : stringOf(c.path);
    if (kind === 'process' || kind === 'socket' || kind === 'process_file') {
      setIfPresent(fields, 'Image', image);
      setIfPresent(fields, 'ProcessId', stringOf(c.pid));
    }
    if (kind === 'process' || kind === 'process_file') {
      setIfPresent(fields, 'CommandLine', stringOf(c.cmdline));
      setIfPresent(fields, 'CurrentDirectory', stringOf(c.cwd));
      const parent = stringOf(c.parent) ?? stringOf(c.ppid);
      setIfPresent(fields, 'ParentProcessId', parent);
      if (category === 'process_creation') {
        const known = parent === undefined ? undefined : processes.get(`${host}\u0000${parent}`);
        setIfPresent(fields, 'ParentImage', known?.image);
        setIfPresent(fields, 'ParentCommandLine', known?.commandLine);
        const pid = stringOf(c.pid);
        if (pid !== undefined) rememberRecent(processes, `${host}\u0000${pid}`, { image, commandLine: stringOf(c.cmdline) }, MAX_PROCESSES);
      }
    }
    if (kind === 'socket') {
      setIfPresent(fields, 'DestinationIp', stringOf(c.remote_address));
      setIfPresent(fields, 'DestinationPort', stringOf(c.remote_port));
      setIfPresent(fields, 'SourceIp', stringOf(c.local_address));
      setIfPresent(fields, 'SourcePort', stringOf(c.local_port));
      setIfPresent(fields, 'Protocol', ownEntry(PROTOCOLS, stringOf(c.protocol) ?? ''));
      const socketAction = stringOf(c.action);
      setIfPresent(fields, 'Initiated', socketAction === 'connect' ? 'true' : socketAction === 'accept' ? 'false' : undefined);
    } else if (kind === 'file') {
      setIfPresent(fields, 'TargetFilename', stringOf(c.target_path));
      setIfPresent(fields, 'Hashes', sysmonHashes([['MD5', c.md5], ['SHA1', c.sha1], ['SHA256', c.sha256]]));
    } else if (kind === 'process_file') {
      const rename = category === 'file_rename';
      setIfPresent(fields, 'TargetFilename', stringOf(rename ? c.dest_path : c.path));
      if (rename) setIfPresent(fields, 'SourceFilename', stringOf(c.path));
    }
    const user = stringOf(c.username);
    setIfPresent(fields, 'User', user);
    setIfPresent(fields, 'Computer', host);
    for (const key in c) define(fields, key, c[key]!);
    // The row's action (a batch line has none of its own), then the line's other members.
    if (action !== undefined) define(fields, 'action', action);
    for (const key in line) if (key !== 'columns' && key !== 'diffResults' && key !== 'snapshot') define(fields, key, line[key]!);

    const event: NormalizedEvent = { fields, source };
    if (category !== undefined) event.category = category;
    const product = productOf(c, image);
    if (product !== undefined) event.product = product;
    const time = rowTime(c.time) ?? rowTime(line.unixTime) ?? parseTime(line.calendarTime);
    if (time !== undefined) event.time = time;
    if (host !== undefined) event.host = host;
    if (user !== undefined) event.user = user;
    return event;
  };
}

/** What an evented table's row is, by its columns; undefined for a row of any other query. */
function kindOf(c: Fields): Kind | undefined {
  if (c.eid === undefined && c.global_seq_num === undefined) return undefined;
  if (c.target_path !== undefined) return 'file';
  if (c.operation !== undefined && c.executable !== undefined) return 'process_file';
  if (c.remote_address !== undefined) return 'socket';
  if (c.cmdline !== undefined && c.path !== undefined) return 'process';
  return undefined;
}

function categoryOf(kind: Kind, c: Fields): string | undefined {
  switch (kind) {
    case 'process': {
      const type = stringOf(c.event_type) ?? stringOf(c.type); // es_process_events, process_etw_events
      if (type === undefined || type === 'exec' || type === 'ProcessStart') return 'process_creation';
      return type === 'exit' || type === 'ProcessStop' ? 'process_termination' : undefined;
    }
    case 'socket': {
      const action = stringOf(c.action);
      return (action === 'connect' || action === 'accept') && stringOf(c.family) !== '1' ? 'network_connection' : undefined;
    }
    case 'file': {
      const action = stringOf(c.action);
      if (action === 'CREATED' || action === 'UPDATED') return 'file_event';
      return action === 'DELETED' ? 'file_delete' : action === 'MOVED_TO' ? 'file_rename' : undefined;
    }
    case 'process_file': {
      const operation = stringOf(c.operation);
      if (operation === 'write') return 'file_event';
      return operation === 'unlink' ? 'file_delete' : operation === 'rename' ? 'file_rename' : undefined;
    }
  }
}

/** EndpointSecurity's columns or a macOS system path: macos; ETW's or a Windows path: windows; another absolute path: linux. */
function productOf(c: Fields, image: string | undefined): string | undefined {
  if (c.signing_id !== undefined || c.team_id !== undefined || c.cdhash !== undefined) return 'macos';
  if (c.token_elevation_type !== undefined || c.mandatory_label !== undefined) return 'windows';
  const path = image ?? stringOf(c.target_path) ?? stringOf(c.path);
  if (path === undefined) return undefined;
  if (/^(?:[A-Za-z]:\\|\\\\|\\Device\\)/.test(path)) return 'windows';
  if (/^\/(?:Applications|System|Library|Users|private)\//.test(path)) return 'macos';
  return path.startsWith('/') ? 'linux' : undefined;
}

/** Epoch seconds, as a number or a string of digits. */
function rowTime(value: FieldValue | undefined): number | undefined {
  const text = stringOf(value);
  return text !== undefined && /^\d{9,11}$/.test(text) ? Number(text) * 1000 : undefined;
}


/** A field of the input's, unless a Sigma name of that name is set. */
function define(fields: Fields, key: string, value: FieldValue): void {
  if (!hasField(fields, key)) setField(fields, key, value);
}
