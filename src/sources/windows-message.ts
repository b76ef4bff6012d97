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
