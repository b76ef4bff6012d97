/**
 * Microsoft Defender XDR (advanced hunting) and Sentinel pipelines (data): logsource category →
 * table, per table Sigma/Sysmon field → column (after pySigma-backend-kusto's microsoft_xdr
 * pipeline), and the table's columns: a field that maps to no column of the table is an error,
 * not a query that fails in the console.
 */
export interface KqlTable {
  table: string;
  fields: Readonly<Record<string, string>>;
  /** Columns of the table (a rule may also name them directly). */
  columns: ReadonlySet<string>;
  /** A condition every row of the rule's logsource needs (Sentinel's EventID). */
  where?: string;
}

/** The initiating process's columns, present in every Device* table. */
const INITIATING_COLUMNS = [
  'InitiatingProcessAccountDomain', 'InitiatingProcessAccountName', 'InitiatingProcessAccountSid', 'InitiatingProcessAccountUpn',
  'InitiatingProcessAccountObjectId', 'InitiatingProcessLogonId', 'InitiatingProcessIntegrityLevel', 'InitiatingProcessTokenElevation',
  'InitiatingProcessSHA1', 'InitiatingProcessSHA256', 'InitiatingProcessMD5', 'InitiatingProcessFileName', 'InitiatingProcessFileSize',
  'InitiatingProcessVersionInfoCompanyName', 'InitiatingProcessVersionInfoProductName', 'InitiatingProcessVersionInfoProductVersion',
  'InitiatingProcessVersionInfoInternalFileName', 'InitiatingProcessVersionInfoOriginalFileName', 'InitiatingProcessVersionInfoFileDescription',
  'InitiatingProcessId', 'InitiatingProcessCommandLine', 'InitiatingProcessCreationTime', 'InitiatingProcessFolderPath',
  'InitiatingProcessParentId', 'InitiatingProcessParentFileName', 'InitiatingProcessParentCreationTime',
  'Timestamp', 'DeviceId', 'DeviceName', 'ActionType', 'ReportId', 'AdditionalFields',
];

/** Sigma names of the initiating process (the actor of file, network, image-load and registry events). */
const INITIATOR: Record<string, string> = {
  ProcessId: 'InitiatingProcessId',
  Image: 'InitiatingProcessFolderPath',
  CommandLine: 'InitiatingProcessCommandLine',
  User: 'InitiatingProcessAccountName',
  OriginalFileName: 'InitiatingProcessVersionInfoOriginalFileName',
  FileVersion: 'InitiatingProcessVersionInfoProductVersion',
  Description: 'InitiatingProcessVersionInfoFileDescription',
  Product: 'InitiatingProcessVersionInfoProductName',
  Company: 'InitiatingProcessVersionInfoCompanyName',
  IntegrityLevel: 'InitiatingProcessIntegrityLevel',
  ParentImage: 'InitiatingProcessParentFileName',
  ParentProcessId: 'InitiatingProcessParentId',
  Computer: 'DeviceName',
};

const table = (name: string, fields: Record<string, string>, own: string[]): KqlTable => ({
  table: name,
  fields,
  columns: new Set([...INITIATING_COLUMNS, ...own]),
});

const PROCESS = table(
  'DeviceProcessEvents',
  {
    Image: 'FolderPath',
    OriginalFileName: 'ProcessVersionInfoOriginalFileName',
    FileVersion: 'ProcessVersionInfoProductVersion',
    Description: 'ProcessVersionInfoFileDescription',
    Product: 'ProcessVersionInfoProductName',
    Company: 'ProcessVersionInfoCompanyName',
    CommandLine: 'ProcessCommandLine',
    ProcessId: 'ProcessId',
    User: 'AccountName',
    IntegrityLevel: 'ProcessIntegrityLevel',
    LogonId: 'LogonId',
    md5: 'MD5',
    sha1: 'SHA1',
    sha256: 'SHA256',
    ParentImage: 'InitiatingProcessFolderPath',
    ParentCommandLine: 'InitiatingProcessCommandLine',
    ParentProcessId: 'InitiatingProcessId',
    ParentUser: 'InitiatingProcessAccountName',
    Computer: 'DeviceName',
  },
  ['FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5', 'FileSize', 'ProcessVersionInfoCompanyName', 'ProcessVersionInfoProductName',
    'ProcessVersionInfoProductVersion', 'ProcessVersionInfoInternalFileName', 'ProcessVersionInfoOriginalFileName',
    'ProcessVersionInfoFileDescription', 'ProcessId', 'ProcessCommandLine', 'ProcessIntegrityLevel', 'ProcessTokenElevation',
    'ProcessCreationTime', 'AccountDomain', 'AccountName', 'AccountSid', 'AccountUpn', 'AccountObjectId', 'LogonId'],
);

const FILE_COLUMNS = ['FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5', 'FileSize', 'PreviousFolderPath', 'PreviousFileName',
  'RequestProtocol', 'RequestSourceIP', 'RequestSourcePort', 'RequestAccountName', 'RequestAccountDomain', 'RequestAccountSid',
  'FileOriginUrl', 'FileOriginReferrerUrl', 'FileOriginIP', 'ShareName', 'SensitivityLabel'];
const FILE = table('DeviceFileEvents', { ...INITIATOR, TargetFilename: 'FolderPath', User: 'RequestAccountName', md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' }, FILE_COLUMNS);

const REGISTRY = table(
  'DeviceRegistryEvents',
  { ...INITIATOR, TargetObject: 'RegistryKey', Details: 'RegistryValueData', NewName: 'PreviousRegistryKey' },
  ['RegistryKey', 'RegistryValueType', 'RegistryValueName', 'RegistryValueData', 'PreviousRegistryKey', 'PreviousRegistryValueName', 'PreviousRegistryValueData'],
);

export const XDR_TABLES: Readonly<Record<string, KqlTable>> = {
  process_creation: PROCESS,
  network_connection: table(
    'DeviceNetworkEvents',
    {
      ...INITIATOR,
      DestinationIp: 'RemoteIP',
      DestinationPort: 'RemotePort',
      DestinationHostname: 'RemoteUrl',
      URL: 'RemoteUrl',
      SourceIp: 'LocalIP',
      SourcePort: 'LocalPort',
      Protocol: 'Protocol',
    },
    ['RemoteIP', 'RemotePort', 'RemoteUrl', 'LocalIP', 'LocalPort', 'Protocol', 'LocalIPType', 'RemoteIPType'],
  ),
  file_event: FILE,
  file_access: FILE,
  file_change: FILE,
  file_delete: FILE,
  file_rename: FILE,
  image_load: table('DeviceImageLoadEvents', { ...INITIATOR, ImageLoaded: 'FolderPath', md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' }, ['FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5', 'FileSize']),
  registry_add: REGISTRY,
  registry_delete: REGISTRY,
  registry_set: REGISTRY,
  registry_rename: REGISTRY,
  registry_event: REGISTRY,
};

/** Sentinel: Windows Security events in the SecurityEvent table (4688 process creation). */
export const SENTINEL_TABLES: Readonly<Record<string, KqlTable>> = {
  process_creation: {
    table: 'SecurityEvent',
    where: 'EventID == 4688',
    fields: {
      Image: 'NewProcessName',
      CommandLine: 'CommandLine',
      ParentImage: 'ParentProcessName',
      User: 'SubjectUserName',
      Computer: 'Computer',
      ProcessId: 'NewProcessId',
      ParentProcessId: 'ProcessId',
    },
    columns: new Set(['TimeGenerated', 'Computer', 'EventID', 'Account', 'AccountType', 'NewProcessName', 'NewProcessId', 'CommandLine',
      'ParentProcessName', 'ProcessId', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'TargetUserName', 'TargetDomainName',
      'TokenElevationType', 'MandatoryLabel', 'Process']),
  },
};
