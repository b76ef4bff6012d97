/**
 * Event data by name from a Windows event's rendered message, for the exports that keep the
 * message but not the data items' names: Event Viewer's CSV, `Get-WinEvent | Export-Csv` (and its
 * JSON, whose `Properties` have no names), Splunk's classic WinEventLog text.
 *
 * - Sysmon renders `Title:` then one `Name: value` line per data item, under the names of its
 *   manifest (Image, CommandLine, …); a line without `Name: ` continues the value before it.
 * - Security renders `Label:<tabs>value` lines under section lines (`Subject:`, `New Logon:`,
 *   `Process Information:`, …). A label names a data item through its section: `Account Name` is
 *   SubjectUserName under `Subject:` and TargetUserName under `New Logon:`. The names are those
 *   of the events' manifests (learn.microsoft.com, "Audit …" event pages); the first value of a
 *   name wins; a line that is no item continues the value before it (4672's privilege list,
 *   4698's task XML). Values are as rendered (`%%1833` shows as `Impersonation`).
 * - System 7045 (a service installed) and PowerShell 4104 (a script block) have fixed layouts.
 * Everything else: nothing by name (the caller keeps `Message`).
 */
import type { Fields } from '../events/event.js';
import { ownEntry } from '../own-entry.js';
import { SECURITY_PROVIDER, SYSMON_PROVIDER } from './windows-logsource.js';

const POWERSHELL_PROVIDER = 'Microsoft-Windows-PowerShell';
const SERVICE_CONTROL_MANAGER = 'Service Control Manager';

/**
 * The data items a rendered message shows by name, written into `into` where it has no field of
 * the name (an event's fields: no object made and copied per event), the first of a name winning;
 * nothing when the message's layout is not known.
 */
export function messageItems(provider: string, eventId: number, message: string, into: Fields = {}): Fields {
  if (provider === SYSMON_PROVIDER) sysmonItems(message, into);
  else if (provider === SECURITY_PROVIDER) securityItems(message, into);
  else if (provider === SERVICE_CONTROL_MANAGER && eventId === 7045) labelledItems(message, SERVICE_INSTALLED, into);
  else if (provider === POWERSHELL_PROVIDER && eventId === 4104) scriptBlockItems(message, into);
  return into;
}

/**
 * Sysmon's data item names (its manifest, schema 4.90: every event type's), for messages whose
 * line breaks were turned into spaces.
 */
const SYSMON_NAMES = [
  'RuleName', 'UtcTime', 'ProcessGuid', 'ProcessId', 'Image', 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName',
  'CommandLine', 'CurrentDirectory', 'User', 'LogonGuid', 'LogonId', 'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid',
  'ParentProcessId', 'ParentImage', 'ParentCommandLine', 'ParentUser', 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime',
  'Protocol', 'Initiated', 'SourceIsIpv6', 'SourceIp', 'SourceHostname', 'SourcePort', 'SourcePortName', 'DestinationIsIpv6',
  'DestinationIp', 'DestinationHostname', 'DestinationPort', 'DestinationPortName', 'State', 'Version', 'SchemaVersion', 'ImageLoaded',
  'Signed', 'Signature', 'SignatureStatus', 'SourceProcessGuid', 'SourceProcessId', 'SourceImage', 'TargetProcessGuid', 'TargetProcessId',
  'TargetImage', 'NewThreadId', 'StartAddress', 'StartModule', 'StartFunction', 'SourceThreadId', 'GrantedAccess', 'CallTrace',
  'SourceUser', 'TargetUser', 'Device', 'EventType', 'TargetObject', 'Details', 'NewName', 'Configuration', 'ConfigurationFileHash',
  'PipeName', 'Operation', 'EventNamespace', 'Name', 'Query', 'Type', 'Destination', 'Consumer', 'Filter', 'QueryName', 'QueryStatus',
  'QueryResults', 'IsExecutable', 'Archived', 'Session', 'ClientInfo',
];

/** `  Name: ` where a line of Sysmon's message began (CR and LF became two spaces). */
const SYSMON_FLATTENED_ITEM = new RegExp(` {2}(${SYSMON_NAMES.join('|')}): `, 'g');
let labelsFlattened: RegExp | undefined;

/**
 * A message whose line breaks and tabs were each turned into a space (Snare's agents and some
 * syslog forwarders send Windows events so) with its lines back, for the layouts messageItems
 * knows: Sysmon's `Name: value` lines, found by Sysmon's item names; Security's and 7045's labelled
 * lines, found by the labels above (two or more spaces before each: a line break and its tabs),
 * a label followed by nothing but another label opening a section, the paragraph after the last
 * item left out. Anything else as given.
 */
export function unflattenedMessage(provider: string, eventId: number, message: string): string {
  if (message.includes('\n')) return message;
  if (provider === SYSMON_PROVIDER) return message.replace(SYSMON_FLATTENED_ITEM, '\n$1: ');
  if (provider !== SECURITY_PROVIDER && !(provider === SERVICE_CONTROL_MANAGER && eventId === 7045)) return message;
  labelsFlattened ??= flattenedLabels();
  const starts = [...message.matchAll(labelsFlattened)];
  if (starts.length === 0) return message;
  const lines = [message.slice(0, starts[0]!.index).trim()];
  starts.forEach((match, i) => {
    const valueStart = match.index + match[0].length;
    const last = i + 1 === starts.length;
    let value = message.slice(valueStart, last ? message.length : starts[i + 1]!.index).trim();
    // After the last item, a paragraph (CR LF CR LF: four spaces) explains the event (4688's token types): no value of it.
    if (last) value = value.split(/(?<! ) {4}(?=\S)/, 1)[0]!;
    const label = match[1]!;
    lines.push(value === '' && (Object.hasOwn(SECTIONS, label) || SECTION_TITLES.has(label)) ? `${label}:` : `\t${label}:\t\t${value}`);
  });
  return lines.join('\n');
}

/** Section lines of Security's messages that name no account (a label with no value ends where they begin). */
const SECTION_TITLES = new Set([
  'Process Information', 'Network Information', 'Logon Information', 'Detailed Authentication Information', 'Failure Information',
  'Object', 'Access Request Information', 'Service Information', 'Task Information', 'Share Information',
  'Application Information', 'Filter Information', 'Layer Information', 'Callout Information', 'Target Server', 'Attributes',
  'Changed Attributes', 'Additional Information', 'Account Information', 'Service Request Information', 'Certificate Information',
]);

/** Every label of the tables above, longest first (a label may end another: `Process ID`, `Creator Process ID`). */
function flattenedLabels(): RegExp {
  const labels = new Set([...Object.keys(SECTIONS), ...SECTION_TITLES, ...Object.values(ACCOUNT_ITEMS).flatMap(Object.keys), ...Object.keys(SECURITY_ITEMS), ...Object.keys(SERVICE_INSTALLED)]);
  const escaped = [...labels].sort((a, b) => b.length - a.length).map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(` {2,}(${escaped.join('|')}):(?= |$)`, 'g');
}

/** `Name: value`, Sysmon's rendering of one data item. */
const SYSMON_ITEM = /^([A-Za-z][A-Za-z0-9]*): ?(.*)$/;

function sysmonItems(message: string, items: Fields): void {
  let last: string | undefined;
  const lines = message.split(/\r?\n/);
  // The first line is the event's title (`Process Create:`), not an item.
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const item = SYSMON_ITEM.exec(line);
    if (item) {
      last = Object.hasOwn(items, item[1]!) ? undefined : item[1]!;
      if (last !== undefined) items[last] = item[2]!;
    } else if (last !== undefined) {
      items[last] = `${items[last] as string}\n${line}`;
    }
  }
}

/** `<tabs>Label:<tabs or spaces>value`; the label as Windows writes them (`Package Name (NTLM only)`). */
const LABELLED = /^\s*([A-Za-z][A-Za-z0-9 ()./-]*?):(?:[ \t]*\t[ \t]*| {2,}|\s*$)(.*)$/;

/** The sections whose account lines are the subject's, a target's, a group member's or a group's. */
const SECTIONS: Record<string, 'Subject' | 'Target' | 'Member' | 'Group' | 'Credentials'> = {
  Subject: 'Subject',
  'Creator Subject': 'Subject',
  'New Logon': 'Target',
  'Target Subject': 'Target',
  'Account For Which Logon Failed': 'Target',
  'Target Account': 'Target',
  'New Account': 'Target',
  'Account Whose Credentials Were Used': 'Credentials',
  Member: 'Member',
  Group: 'Group',
};

/** Account lines by section. */
const ACCOUNT_ITEMS: Record<string, Record<string, string>> = {
  Subject: { 'Security ID': 'SubjectUserSid', 'Account Name': 'SubjectUserName', 'Account Domain': 'SubjectDomainName', 'Logon ID': 'SubjectLogonId' },
  Target: {
    'Security ID': 'TargetUserSid', 'Account Name': 'TargetUserName', 'Account Domain': 'TargetDomainName', 'Logon ID': 'TargetLogonId',
    'Linked Logon ID': 'TargetLinkedLogonId', 'Network Account Name': 'TargetOutboundUserName', 'Network Account Domain': 'TargetOutboundDomainName', 'Logon GUID': 'LogonGuid',
  },
  Credentials: { 'Account Name': 'TargetUserName', 'Account Domain': 'TargetDomainName', 'Logon GUID': 'TargetLogonGuid' },
  Member: { 'Security ID': 'MemberSid', 'Account Name': 'MemberName' },
  Group: { 'Security ID': 'TargetSid', 'Group Name': 'TargetUserName', 'Account Name': 'TargetUserName', 'Group Domain': 'TargetDomainName', 'Account Domain': 'TargetDomainName' },
};

/** Lines that name the same item whatever their section. */
const SECURITY_ITEMS: Record<string, string> = {
  // 4688
  'New Process ID': 'NewProcessId',
  'New Process Name': 'NewProcessName',
  'Token Elevation Type': 'TokenElevationType',
  'Mandatory Label': 'MandatoryLabel',
  'Creator Process ID': 'ProcessId',
  'Creator Process Name': 'ParentProcessName',
  'Process Command Line': 'CommandLine',
  // 4624, 4625, 4648, 4672
  'Logon Type': 'LogonType',
  'Restricted Admin Mode': 'RestrictedAdminMode',
  'Virtual Account': 'VirtualAccount',
  'Elevated Token': 'ElevatedToken',
  'Impersonation Level': 'ImpersonationLevel',
  'Process ID': 'ProcessId',
  'Process Name': 'ProcessName',
  'Workstation Name': 'WorkstationName',
  'Source Network Address': 'IpAddress',
  'Source Address': 'IpAddress',
  'Network Address': 'IpAddress',
  'Source Port': 'IpPort',
  Port: 'IpPort',
  'Logon Process': 'LogonProcessName',
  'Authentication Package': 'AuthenticationPackageName',
  'Transited Services': 'TransmittedServices',
  'Package Name (NTLM only)': 'LmPackageName',
  'Key Length': 'KeyLength',
  'Failure Reason': 'FailureReason',
  Status: 'Status',
  'Sub Status': 'SubStatus',
  'Target Server Name': 'TargetServerName',
  'Additional Information': 'TargetInfo',
  Privileges: 'PrivilegeList',
  // 4656, 4663, 5145
  'Object Server': 'ObjectServer',
  'Object Type': 'ObjectType',
  'Object Name': 'ObjectName',
  'Handle ID': 'HandleId',
  Accesses: 'AccessList',
  'Access Mask': 'AccessMask',
  'Share Name': 'ShareName',
  'Share Path': 'ShareLocalPath',
  'Relative Target Name': 'RelativeTargetName',
  // 4697, 4698–4702
  'Service Name': 'ServiceName',
  'Service File Name': 'ServiceFileName',
  'Service Type': 'ServiceType',
  'Service Start Type': 'ServiceStartType',
  'Service Account': 'ServiceAccount',
  'Task Name': 'TaskName',
  'Task Content': 'TaskContent',
};

function securityItems(message: string, items: Fields): void {
  let section: string | undefined;
  let last: string | undefined;
  // The first line is the event's description (`An account was successfully logged on.`).
  for (const line of message.split(/\r?\n/).slice(1)) {
    if (line.trim() === '') {
      last = undefined;
      continue;
    }
    const item = LABELLED.exec(line);
    if (item === null) {
      if (last !== undefined) items[last] = `${items[last] as string}\n${line}`;
      continue;
    }
    const label = item[1]!.trim();
    const value = item[2]!;
    // `Subject:` alone on its line (not indented) opens a section; an indented line is an item.
    if (value === '' && !/^\s/.test(line)) {
      section = ownEntry(SECTIONS, label);
      last = undefined;
      continue;
    }
    const name = (section !== undefined ? ownEntry(ACCOUNT_ITEMS[section], label) : undefined) ?? ownEntry(SECURITY_ITEMS, label);
    last = undefined;
    if (name === undefined || Object.hasOwn(items, name)) continue;
    items[name] = value;
    last = name;
  }
}

/** 7045: `Service Name:  PSEXESVC`, two spaces after each label (System log, Service Control Manager). */
const SERVICE_INSTALLED: Record<string, string> = {
  'Service Name': 'ServiceName',
  'Service File Name': 'ImagePath',
  'Service Type': 'ServiceType',
  'Service Start Type': 'StartType',
  'Service Account': 'AccountName',
};

function labelledItems(message: string, names: Record<string, string>, items: Fields): void {
  for (const line of message.split(/\r?\n/)) {
    const item = LABELLED.exec(line);
    const name = item ? ownEntry(names, item[1]!.trim()) : undefined;
    if (name !== undefined && !Object.hasOwn(items, name)) items[name] = item![2]!;
  }
}

/** 4104: `Creating Scriptblock text (1 of 3):`, the script, a blank line, `ScriptBlock ID: …`, `Path: …`. */
const SCRIPT_BLOCK = /^Creating Scriptblock text \((\d+) of (\d+)\):\r?\n([\s\S]*?)\r?\n\r?\nScriptBlock ID: (\S*)\r?\nPath: ?(.*?)\s*$/;

function scriptBlockItems(message: string, items: Fields): void {
  const block = SCRIPT_BLOCK.exec(message);
  if (block === null) return;
  const [, number, total, text, id, path] = block as unknown as [string, string, string, string, string, string];
  items.MessageNumber ??= number;
  items.MessageTotal ??= total;
  items.ScriptBlockText ??= text;
  items.ScriptBlockId ??= id;
  items.Path ??= path;
}
