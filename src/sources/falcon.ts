/**
 * CrowdStrike Falcon sensor telemetry: Falcon Data Replicator (FDR) files — one flat JSON object
 * per line, every value a string, delivered gzip-compressed to S3 — and Falcon's event search
 * (LogScale / Next-Gen SIEM) exports of the same events, whose type is the tag
 * `#event_simpleName` beside `@timestamp` (and the original line in `@rawstring`); NDJSON, a JSON
 * array or pretty-printed, bare or as Elasticsearch hits. CSV exports with an `event_simpleName`
 * column go through csv-events.ts to the same mapping.
 *
 * | event_simpleName | Sigma category |
 * |---|---|
 * | ProcessRollup2, SyntheticProcessRollup2 | process_creation |
 * | EndOfProcess, TerminateProcess | process_termination |
 * | DnsRequest, SuspiciousDnsRequest | dns_query |
 * | NetworkConnectIP4/IP6, NetworkReceiveAcceptIP4/IP6 | network_connection |
 * | NewExecutableWritten, NewScriptWritten, any `…FileWritten` | file_event |
 * | FileDeleteInfo, ExecutableDeleted / FileRenameInfo / FileOpenInfo | file_delete / file_rename / file_access |
 * | AsepValueUpdate, RegGenericValueUpdate, RegSystemConfigValueUpdate | registry_set |
 * | DriverLoad / ClassifiedModuleLoad, ImageHash | driver_load / image_load |
 *
 * Falcon names a process by its own id (`TargetProcessId` on its start, `ContextProcessId` on what
 * it does, the parent's as `ParentProcessId`), not by the OS pid (`RawProcessId`): they become
 * ProcessGuid and ParentProcessGuid, which the process tree links, and ProcessId is the OS pid. A
 * start gives only the parent's file name (`ParentBaseFileName`): ParentImage, ParentCommandLine
 * and ParentProcessId come from the parent's own start when it is earlier in the input (a
 * bounded table per input, by sensor and process id), else ParentImage is that file name. The
 * same table names the process of a DNS request, connection or file write (Image). Windows paths
 * are in NT device form (`\Device\HarddiskVolume3\Windows\…`): a start whose command line names
 * its program by a drive-letter path of the same file tells which drive the volume is, and every
 * later path of that sensor's volume is written with the drive (`C:\Windows\…`), as Sysmon and
 * SigmaHQ's rules write them; `\Device\Mup\` is a UNC path. The host is the sensor id (`aid`):
 * not every event carries `ComputerName`, and one machine must stay one host for the process
 * tree; `Computer` is the name, from the event or an earlier one of the sensor (or its
 * `aidmaster` record). Time: the sensor's (`ProcessStartTime`, `ContextTimeStamp`: epoch seconds
 * with milliseconds), else `timestamp` (epoch ms, the cloud's), else LogScale's `@timestamp`.
 * Every field of the document is kept beside the Sigma names (the parent's `ParentProcessId`
 * as ParentProcessGuid). Not splittable: the tables need the input in order.
 */
import { type FieldValue, type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { ownEntry } from '../own-entry.js';
import { setIfPresent } from './ecs-fields.js';
import { firstDocument, readDocuments } from './elastic-hits.js';
import { isObject, stringOf, type JsonObject } from './json-util.js';
import type { SourceReader } from './reader.js';
import { rememberRecent } from './recent-map.js';
import { sysmonHashes, sysmonRegistryPath } from './sysmon-values.js';
import { parseTime } from './time.js';

const FORMAT = 'falcon';

export const falconReader: SourceReader = {
  format: FORMAT,
  description: 'CrowdStrike Falcon telemetry: Falcon Data Replicator NDJSON, Falcon event search / LogScale exports (event_simpleName)',
  sniff(head) {
    const first = firstDocument(head);
    return first !== undefined && simpleName(first) !== undefined ? 0.85 : 0;
  },
  read: (input, ctx) => readDocuments(input, ctx, FORMAT, createFalconMapper()),
};

const CATEGORIES: Record<string, string> = {
  ProcessRollup2: 'process_creation',
  SyntheticProcessRollup2: 'process_creation',
  EndOfProcess: 'process_termination',
  TerminateProcess: 'process_termination',
  DnsRequest: 'dns_query',
  SuspiciousDnsRequest: 'dns_query',
  NetworkConnectIP4: 'network_connection',
  NetworkConnectIP6: 'network_connection',
  NetworkReceiveAcceptIP4: 'network_connection',
  NetworkReceiveAcceptIP6: 'network_connection',
  NewExecutableWritten: 'file_event',
  NewScriptWritten: 'file_event',
  FileDeleteInfo: 'file_delete',
  ExecutableDeleted: 'file_delete',
  FileRenameInfo: 'file_rename',
  FileOpenInfo: 'file_access',
  AsepValueUpdate: 'registry_set',
  RegGenericValueUpdate: 'registry_set',
  RegSystemConfigValueUpdate: 'registry_set',
  DriverLoad: 'driver_load',
  ClassifiedModuleLoad: 'image_load',
  ImageHash: 'image_load',
};

const PRODUCTS: Record<string, string> = { Win: 'windows', Lin: 'linux', Mac: 'macos' };

/** Sysmon's names of Windows's mandatory integrity levels (Falcon gives the RID). */
const INTEGRITY_LEVELS: Record<string, string> = { '0': 'Untrusted', '4096': 'Low', '8192': 'Medium', '12288': 'High', '16384': 'System' };

/** Accounts Falcon names by SID only, as Sysmon's `User` names them. */
const WELL_KNOWN_SIDS: Record<string, string> = {
  'S-1-5-18': 'NT AUTHORITY\\SYSTEM',
  'S-1-5-19': 'NT AUTHORITY\\LOCAL SERVICE',
  'S-1-5-20': 'NT AUTHORITY\\NETWORK SERVICE',
};

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp' };

/** Processes remembered per input (by sensor and Falcon process id): a start's parent, an action's process. */
const MAX_PROCESSES = 65_536;
/** Sensors whose drive letters and names are remembered per input. */
const MAX_SENSORS = 4_096;

interface Process {
  image: string | undefined;
  commandLine: string | undefined;
  pid: string | undefined;
}

/** The mapper of one input: its process table, and each sensor's volumes and name. */
export function createFalconMapper(): (record: Fields, source: Provenance) => NormalizedEvent {
  const processes = new Map<string, Process>();
  const sensors = new Map<string, { drives: Map<string, string>; name?: string }>();

  const sensor = (aid: string) => {
    let known = sensors.get(aid);
    if (known === undefined) rememberRecent(sensors, aid, (known = { drives: new Map() }), MAX_SENSORS);
    return known;
  };

  return (record: Fields, source: Provenance): NormalizedEvent => {
    const doc = withRawString(record);
    const type = simpleName(doc);
    const aid = stringOf(doc.aid) ?? '';
    const known = sensor(aid);
    const computerName = stringOf(doc.ComputerName);
    if (computerName !== undefined) known.name = computerName;
    const path = (value: FieldValue | undefined) => drivePath(known.drives, stringOf(value));
    const processKey = (id: FieldValue | undefined) => `${aid}\u0000${stringOf(id) ?? ''}`;

    const fields: Fields = {};
    const category = type === undefined ? undefined : (ownEntry(CATEGORIES, type) ?? (type.endsWith('FileWritten') ? 'file_event' : undefined));
    if (category === 'process_creation') {
      const imageFileName = stringOf(doc.ImageFileName);
      const commandLine = stringOf(doc.CommandLine);
      learnDrive(known.drives, imageFileName, commandLine);
      const image = path(imageFileName);
      const parent = processes.get(processKey(doc.ParentProcessId));
      setIfPresent(fields, 'Image', image);
      setIfPresent(fields, 'CommandLine', commandLine);
      setIfPresent(fields, 'ProcessId', stringOf(doc.RawProcessId));
      setIfPresent(fields, 'ProcessGuid', stringOf(doc.TargetProcessId));
      setIfPresent(fields, 'ParentImage', parent?.image ?? stringOf(doc.ParentBaseFileName));
      setIfPresent(fields, 'ParentCommandLine', parent?.commandLine);
      setIfPresent(fields, 'ParentProcessId', parent?.pid);
      setIfPresent(fields, 'ParentProcessGuid', stringOf(doc.ParentProcessId));
      setIfPresent(fields, 'IntegrityLevel', ownEntry(INTEGRITY_LEVELS, stringOf(doc.IntegrityLevel) ?? ''));
      setIfPresent(fields, 'Hashes', hashes(doc));
      if (doc.TargetProcessId !== undefined) rememberRecent(processes, processKey(doc.TargetProcessId), { image, commandLine, pid: stringOf(doc.RawProcessId) }, MAX_PROCESSES);
    } else {
      // What a process did (or its end): the process by its id, its image from its start when known.
      const id = category === 'process_termination' ? doc.TargetProcessId : doc.ContextProcessId;
      const process = processes.get(processKey(id));
      setIfPresent(fields, 'Image', process?.image ?? path(doc.ContextImageFileName) ?? stringOf(doc.ContextBaseFileName));
      setIfPresent(fields, 'ProcessId', process?.pid ?? (category === 'process_termination' ? stringOf(doc.RawProcessId) : undefined));
      setIfPresent(fields, 'ProcessGuid', stringOf(id));
    }
    if (category === 'dns_query') {
      setIfPresent(fields, 'QueryName', stringOf(doc.DomainName));
      setIfPresent(fields, 'QueryResults', stringOf(doc.IP4Records) ?? stringOf(doc.FirstIP4Record));
    } else if (category === 'network_connection') {
      const v6 = type!.endsWith('IP6');
      setIfPresent(fields, 'DestinationIp', stringOf(v6 ? doc.RemoteAddressIP6 : doc.RemoteAddressIP4));
      setIfPresent(fields, 'DestinationPort', stringOf(doc.RemotePort));
      setIfPresent(fields, 'SourceIp', stringOf(v6 ? doc.LocalAddressIP6 : doc.LocalAddressIP4));
      setIfPresent(fields, 'SourcePort', stringOf(doc.LocalPort));
      setIfPresent(fields, 'Protocol', ownEntry(PROTOCOLS, stringOf(doc.Protocol) ?? ''));
      setIfPresent(fields, 'Initiated', initiated(type!, stringOf(doc.ConnectionDirection)));
    } else if (category === 'file_event' || category === 'file_delete' || category === 'file_rename' || category === 'file_access') {
      setIfPresent(fields, 'TargetFilename', path(doc.TargetFileName));
      if (category === 'file_rename') setIfPresent(fields, 'SourceFilename', path(doc.SourceFileName));
      if (category === 'file_event') setIfPresent(fields, 'Hashes', hashes(doc));
    } else if (category === 'registry_set') {
      setIfPresent(fields, 'TargetObject', registryPath(stringOf(doc.RegObjectName), stringOf(doc.RegValueName)));
      setIfPresent(fields, 'Details', stringOf(doc.RegStringValue));
    } else if (category === 'driver_load' || category === 'image_load') {
      setIfPresent(fields, 'ImageLoaded', path(doc.ImageFileName));
      setIfPresent(fields, 'Hashes', hashes(doc));
    }
    const user = stringOf(doc.UserName) ?? ownEntry(WELL_KNOWN_SIDS, stringOf(doc.UserSid) ?? '');
    setIfPresent(fields, 'User', user);
    setIfPresent(fields, 'Computer', known.name);
    for (const key in doc) {
      // The document's own fields beside the Sigma names; its ParentProcessId (a Falcon id) is ParentProcessGuid.
      if (key !== 'ParentProcessId' && key !== '@rawstring' && !hasField(fields, key)) setField(fields, key, doc[key]!);
    }

    const event: NormalizedEvent = { fields, source };
    if (category !== undefined) event.category = category;
    const product = ownEntry(PRODUCTS, stringOf(doc.event_platform) ?? '');
    if (product !== undefined) event.product = product;
    const time = eventTime(doc, category);
    if (time !== undefined) event.time = time;
    const host = aid !== '' ? aid : known.name;
    if (host !== undefined) event.host = host;
    if (user !== undefined) event.user = user;
    return event;
  };
}

/** The event type: FDR's `event_simpleName`, LogScale's tag `#event_simpleName`. */
function simpleName(doc: Readonly<Record<string, unknown>>): string | undefined {
  return stringOf(doc.event_simpleName as FieldValue) ?? stringOf(doc['#event_simpleName'] as FieldValue);
}

/** A LogScale event whose fields were not all parsed: the FDR line in `@rawstring` fills in what is missing. */
function withRawString(record: Fields): Fields {
  const raw = record['@rawstring'];
  if (typeof raw !== 'string' || !raw.startsWith('{') || (record.event_simpleName !== undefined && record.aid !== undefined)) return record;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return record;
  }
  return isObject(parsed) ? { ...(parsed as Fields), ...record } : record;
}


/** `\Device\HarddiskVolume3\…` and its rest. */
const VOLUME_PATH = /^(\\Device\\HarddiskVolume\d+)(\\.*)$/i;
const MUP = /^\\Device\\Mup\\/i;

/**
 * A start's image in device form and its command line's program as a drive-letter path of the
 * same file (case aside): the sensor's volume is that drive.
 */
function learnDrive(drives: Map<string, string>, image: string | undefined, commandLine: string | undefined): void {
  const volume = image === undefined ? null : VOLUME_PATH.exec(image);
  if (volume === null || commandLine === undefined) return;
  const program = commandLine.startsWith('"') ? commandLine.slice(1, commandLine.indexOf('"', 1)) : commandLine.split(' ', 1)[0]!;
  const rest = volume[2]!;
  if (/^[A-Za-z]:\\/.test(program) && program.length === 2 + rest.length && program.slice(2).toLowerCase() === rest.toLowerCase()) {
    drives.set(volume[1]!.toLowerCase(), program.slice(0, 2).toUpperCase());
  }
}

/** A path with its volume's drive letter when the sensor's drives tell it, a UNC path for `\Device\Mup\`; else as given. */
function drivePath(drives: Map<string, string>, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  if (MUP.test(path)) return `\\\\${path.slice('\\Device\\Mup\\'.length)}`;
  const volume = VOLUME_PATH.exec(path);
  const drive = volume === null ? undefined : drives.get(volume[1]!.toLowerCase());
  return drive === undefined ? path : drive + volume![2];
}

/** A key and its value name as Sysmon's TargetObject: `HKLM\…\name`, `HKU\…\name`. */
function registryPath(key: string | undefined, value: string | undefined): string | undefined {
  const hive = sysmonRegistryPath(key);
  return hive === undefined || value === undefined ? hive : `${hive}\\${value}`;
}

/** Sysmon's `Hashes` from Falcon's digests (an all-zero SHA1 is Falcon's "not computed"). */
function hashes(doc: JsonObject): string | undefined {
  const sha1 = stringOf(doc.SHA1HashData);
  return sysmonHashes([
    ['MD5', stringOf(doc.MD5HashData)],
    ['SHA1', sha1 !== undefined && /^0+$/.test(sha1) ? undefined : sha1],
    ['SHA256', stringOf(doc.SHA256HashData)],
  ]);
}

/** Falcon's ConnectionDirection (0 outbound, 1 inbound), else the event type. */
function initiated(type: string, direction: string | undefined): string {
  if (direction === '0') return 'true';
  if (direction === '1') return 'false';
  return type.startsWith('NetworkConnect') ? 'true' : 'false';
}

/** `1790669662.402`: epoch seconds with milliseconds, as the sensor writes its own times. */
const SECONDS = /^\d{9,11}(\.\d{1,9})?$/;

function eventTime(doc: JsonObject, category: string | undefined): number | undefined {
  for (const value of [category === 'process_creation' ? doc.ProcessStartTime : undefined, doc.ContextTimeStamp]) {
    const text = stringOf(value);
    if (text !== undefined && SECONDS.test(text)) return Math.round(Number(text) * 1000);
  }
  return parseTime(doc.timestamp) ?? parseTime(doc['@timestamp']);
}
