/**
 * Microsoft Defender for Endpoint Advanced Hunting rows → Sigma logsource and field names.
 * Every mapping is listed in docs/mappings.md (one table with Sysmon and Security 4688); the
 * field choices follow pySigma's Microsoft XDR pipeline read backwards (Sigma name ← column).
 *
 * Kusto strings are never null: an empty string means "no value", so a Sigma name is only set
 * from a non-empty column (RemoteUrl '' leaves DestinationHostname and URL absent, which is what
 * SQL NULL / Sigma "absent" mean to the rules). The row's own columns are kept as they are.
 */
import type { FieldValue, Fields, LogSource } from '../events/event.js';
import { stringOf } from './json-util.js';
import { sysmonHashes, sysmonRegistryPath, sysmonUser } from './sysmon-values.js';

export const DEFENDER_TABLES = [
  'DeviceProcessEvents',
  'DeviceNetworkEvents',
  'DeviceFileEvents',
  'DeviceEvents',
  'DeviceImageLoadEvents',
  'DeviceRegistryEvents',
] as const;
export type DefenderTable = (typeof DEFENDER_TABLES)[number];

const FILE_ACTIONS = new Set(['FileCreated', 'FileModified', 'FileRenamed', 'FileDeleted']);
/** A Map, not an object: an ActionType is the file's text (`toString` is none of these). */
const REGISTRY_ACTIONS = new Map([
  ['RegistryKeyCreated', 'registry_add'],
  ['RegistryKeyDeleted', 'registry_delete'],
  ['RegistryValueDeleted', 'registry_delete'],
  ['RegistryValueSet', 'registry_set'],
  ['RegistryKeyRenamed', 'registry_rename'],
]);
/** DeviceNetworkEvents ActionTypes that are connections (the rest are inspections). */
const CONNECTION_ACTIONS = /^(Connection|InboundConnectionAccepted$|ListeningConnectionCreated$)/;
const INBOUND_ACTIONS = new Set(['InboundConnectionAccepted', 'ListeningConnectionCreated']);

/** A table name inside a string: `DeviceProcessEvents`, `AdvancedHunting-DeviceProcessEvents`, `DeviceProcessEvents_2024.csv`. */
export function tableIn(text: string | undefined): DefenderTable | undefined {
  if (text === undefined) return undefined;
  const match = /Device(?:Process|Network|File|ImageLoad|Registry)?Events/i.exec(text);
  return match === null ? undefined : DEFENDER_TABLES.find((t) => t.toLowerCase() === match[0].toLowerCase());
}

/**
 * The row's table: an explicit column first (`$table` from a KQL `search`/`union withsource`,
 * `Table`, Sentinel's `Type`, Event Hub's `category: AdvancedHunting-<Table>`), then the hint
 * (the file name), then the ActionType, then the columns the row has.
 */
export function tableOf(row: Fields, hint: DefenderTable | undefined): DefenderTable | undefined {
  for (const key of ['$table', 'Table', 'Type', 'category']) {
    const table = typeof row[key] === 'string' ? tableIn(row[key] as string) : undefined;
    if (table !== undefined) return table;
  }
  if (hint !== undefined) return hint;
  const action = stringOf(row.ActionType);
  if (action === 'ProcessCreated') return 'DeviceProcessEvents';
  if (action !== undefined && FILE_ACTIONS.has(action)) return 'DeviceFileEvents';
  if (action !== undefined && REGISTRY_ACTIONS.has(action)) return 'DeviceRegistryEvents';
  if (action === 'ImageLoaded') return 'DeviceImageLoadEvents';
  if (action !== undefined && CONNECTION_ACTIONS.test(action)) return 'DeviceNetworkEvents';
  if (action !== undefined) return 'DeviceEvents';
  if (row.RemoteIP !== undefined) return 'DeviceNetworkEvents';
  if (row.ProcessCommandLine !== undefined) return 'DeviceProcessEvents';
  if (row.RegistryKey !== undefined) return 'DeviceRegistryEvents';
  if (row.FolderPath !== undefined) return 'DeviceFileEvents';
  return undefined;
}

/** Add the Sigma names to `row` (in place) and return its logsource. */
export function mapDefenderRow(row: Fields, table: DefenderTable | undefined): LogSource {
  const action = stringOf(row.ActionType) ?? '';
  const logSource: LogSource = { product: productOf(row) };
  const set = (name: string, value: FieldValue | undefined) => {
    if (value !== undefined && value !== '' && value !== null && row[name] === undefined) row[name] = value;
  };
  const initiating = path(row.InitiatingProcessFolderPath, row.InitiatingProcessFileName);
  const initiatingUser = sysmonUser(row.InitiatingProcessAccountDomain, row.InitiatingProcessAccountName);
  switch (table) {
    case 'DeviceProcessEvents':
      if (action === '' || action === 'ProcessCreated') logSource.category = 'process_creation';
      set('Image', path(row.FolderPath, row.FileName));
      set('CommandLine', row.ProcessCommandLine);
      set('ProcessId', row.ProcessId);
      set('OriginalFileName', row.ProcessVersionInfoOriginalFileName);
      set('Description', row.ProcessVersionInfoFileDescription);
      set('Product', row.ProcessVersionInfoProductName);
      set('Company', row.ProcessVersionInfoCompanyName);
      set('FileVersion', row.ProcessVersionInfoProductVersion);
      set('IntegrityLevel', row.ProcessIntegrityLevel);
      set('LogonId', row.LogonId);
      set('User', sysmonUser(row.AccountDomain, row.AccountName));
      set('Hashes', sysmonHashes([['SHA1', row.SHA1], ['MD5', row.MD5], ['SHA256', row.SHA256]]));
      set('ParentImage', initiating);
      set('ParentCommandLine', row.InitiatingProcessCommandLine);
      set('ParentProcessId', row.InitiatingProcessId);
      set('ParentUser', initiatingUser);
      break;
    case 'DeviceNetworkEvents':
      if (CONNECTION_ACTIONS.test(action)) logSource.category = 'network_connection';
      actor();
      set('DestinationIp', row.RemoteIP);
      set('DestinationPort', row.RemotePort);
      set('DestinationHostname', row.RemoteUrl);
      // The seed's arm 2 tests a URL; RemoteUrl is Defender's "URL or FQDN connected to".
      set('URL', row.RemoteUrl);
      set('SourceIp', row.LocalIP);
      set('SourcePort', row.LocalPort);
      set('SourceHostname', row.DeviceName);
      set('Protocol', row.Protocol);
      if (logSource.category !== undefined) set('Initiated', INBOUND_ACTIONS.has(action) ? 'false' : 'true');
      break;
    case 'DeviceFileEvents':
      logSource.category = action === 'FileDeleted' ? 'file_delete' : action === 'FileRenamed' ? 'file_rename' : 'file_event';
      actor(sysmonUser(row.RequestAccountDomain, row.RequestAccountName));
      set('TargetFilename', path(row.FolderPath, row.FileName));
      set('SourceFilename', path(row.PreviousFolderPath, row.PreviousFileName));
      break;
    case 'DeviceImageLoadEvents':
      logSource.category = 'image_load';
      actor();
      set('ImageLoaded', path(row.FolderPath, row.FileName));
      set('Hashes', sysmonHashes([['SHA1', row.SHA1], ['MD5', row.MD5], ['SHA256', row.SHA256]]));
      break;
    case 'DeviceRegistryEvents': {
      const category = REGISTRY_ACTIONS.get(action);
      if (category !== undefined) logSource.category = category;
      actor();
      const key = sysmonRegistryPath(stringOf(row.RegistryKey));
      const value = stringOf(row.RegistryValueName);
      set('TargetObject', key !== undefined && value !== undefined ? `${key}\\${value}` : key);
      set('Details', row.RegistryValueData);
      set('EventType', action);
      break;
    }
    case 'DeviceEvents':
    case undefined:
      deviceEvent();
      break;
  }
  return logSource;

  /** The initiating process is the one acting (network, file, registry, image load, DeviceEvents). */
  function actor(user?: string): void {
    set('Image', initiating);
    set('CommandLine', row.InitiatingProcessCommandLine);
    set('ProcessId', row.InitiatingProcessId);
    set('User', user ?? initiatingUser);
  }

  /** DeviceEvents: the ActionTypes SigmaHQ has a category for. */
  function deviceEvent(): void {
    const extra = additionalFields(row.AdditionalFields);
    if (action === 'DnsQueryResponse') {
      logSource.category = 'dns_query';
      actor();
      set('QueryName', extra.DnsQueryString);
    } else if (action === 'NamedPipeEvent') {
      logSource.category = 'pipe_created';
      actor();
      set('PipeName', extra.PipeName);
    } else if (action.startsWith('CreateRemoteThread')) {
      logSource.category = 'create_remote_thread';
      set('SourceImage', initiating);
      set('SourceProcessId', row.InitiatingProcessId);
      set('TargetImage', path(row.FolderPath, row.FileName));
      set('TargetProcessId', row.ProcessId);
      set('SourceUser', initiatingUser);
    } else {
      actor();
    }
  }
}

/**
 * Defender's FolderPath holds the whole path in practice (`C:\Windows\System32\cmd.exe`); when a
 * row has only the folder, the file name is appended; with no folder, the bare file name is
 * used (a Sigma `Image|endswith: '\cmd.exe'` then cannot match, `Image|contains` can).
 */
export function path(folderValue: FieldValue | undefined, fileValue: FieldValue | undefined): string | undefined {
  const folder = stringOf(folderValue);
  const file = stringOf(fileValue);
  if (folder === undefined) return file;
  if (file === undefined) return folder;
  const lowerFolder = folder.toLowerCase();
  const lowerFile = file.toLowerCase();
  if (lowerFolder === lowerFile || lowerFolder.endsWith(`\\${lowerFile}`) || lowerFolder.endsWith(`/${lowerFile}`)) return folder;
  const separator = folder.includes('\\') || !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(separator) ? folder + file : `${folder}${separator}${file}`;
}


/** AdditionalFields is a JSON string in CSV and API output, an object in some exports. */
function additionalFields(value: FieldValue | undefined): Record<string, FieldValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  if (typeof value !== 'string' || !value.startsWith('{')) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, FieldValue>) : {};
  } catch {
    return {};
  }
}

/** Defender runs on Windows, Linux and macOS; the paths tell which. */
function productOf(row: Fields): string {
  const sample = stringOf(row.FolderPath) ?? stringOf(row.InitiatingProcessFolderPath) ?? '';
  if (!sample.startsWith('/')) return 'windows';
  return /^\/(Applications|Users|System|Library|private)\//.test(sample) ? 'macos' : 'linux';
}
