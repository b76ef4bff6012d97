/**
 * Data items by name from rendered messages. Each message below is laid out as Windows renders
 * that event (the Security auditing pages of learn.microsoft.com, Event Viewer's General tab)
 * around the values of a real event of ../shared/corpus/evtx-attack-samples (file and record
 * named); the items read back must be that event's EventData as the EVTX reader gives it, for the
 * values Windows renders as they are (not `%%` codes, which it renders as text).
 */
import { describe, expect, it } from 'vitest';
import { messageItems } from '../../src/sources/windows-message.js';

const SECURITY = 'Microsoft-Windows-Security-Auditing';
const lines = (...text: string[]) => text.join('\r\n');

describe('windows-message: Security, by section and label', () => {
  it('4624 (Command and Control/DE_RDP_Tunnel_5156.evtx, record 227701): subject and new logon told apart by section', () => {
    const message = lines(
      'An account was successfully logged on.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-18', '\tAccount Name:\t\tPC01$', '\tAccount Domain:\t\tEXAMPLE', '\tLogon ID:\t\t0x3e7', '',
      'Logon Type:\t\t\t11', '',
      'New Logon:', '\tSecurity ID:\t\tS-1-5-21-1587066498-1489273250-1035260531-1106', '\tAccount Name:\t\tuser01', '\tAccount Domain:\t\tEXAMPLE',
      '\tLogon ID:\t\t0x1414c8', '\tLogon GUID:\t\t{00000000-0000-0000-0000-000000000000}', '',
      'Process Information:', '\tProcess ID:\t\t0x704', '\tProcess Name:\t\tC:\\Windows\\System32\\winlogon.exe', '',
      'Network Information:', '\tWorkstation Name:\tPC01', '\tSource Network Address:\t127.0.0.1', '\tSource Port:\t\t0', '',
      'Detailed Authentication Information:', '\tLogon Process:\t\tUser32 ', '\tAuthentication Package:\tNegotiate', '\tTransited Services:\t-',
      '\tPackage Name (NTLM only):\t-', '\tKey Length:\t\t0', '',
      'This event is generated when a logon session is created. It is generated on the computer that was accessed.',
    );
    expect(messageItems(SECURITY, 4624, message)).toEqual({
      SubjectUserSid: 'S-1-5-18', SubjectUserName: 'PC01$', SubjectDomainName: 'EXAMPLE', SubjectLogonId: '0x3e7',
      LogonType: '11',
      TargetUserSid: 'S-1-5-21-1587066498-1489273250-1035260531-1106', TargetUserName: 'user01', TargetDomainName: 'EXAMPLE', TargetLogonId: '0x1414c8',
      LogonGuid: '{00000000-0000-0000-0000-000000000000}',
      ProcessId: '0x704', ProcessName: 'C:\\Windows\\System32\\winlogon.exe',
      WorkstationName: 'PC01', IpAddress: '127.0.0.1', IpPort: '0',
      LogonProcessName: 'User32 ', AuthenticationPackageName: 'Negotiate', TransmittedServices: '-', LmPackageName: '-', KeyLength: '0',
    });
  });

  it('4625 (Credential Access/CA_4624_4625_LogonType2_LogonProc_chrome.evtx, record 137222): the failed account is the target', () => {
    const message = lines(
      'An account failed to log on.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-21-3461203602-4096304019-2269080069-1000', '\tAccount Name:\t\tIEUser', '\tAccount Domain:\t\tMSEDGEWIN10', '\tLogon ID:\t\t0x79e59', '',
      'Logon Type:\t\t\t2', '',
      'Account For Which Logon Failed:', '\tSecurity ID:\t\tS-1-0-0', '\tAccount Name:\t\tIEUser', '\tAccount Domain:\t\tMSEDGEWIN10', '',
      'Failure Information:', '\tFailure Reason:\t\tUnknown user name or bad password.', '\tStatus:\t\t\t0xc000006d', '\tSub Status:\t\t0xc000006a', '',
      'Process Information:', '\tCaller Process ID:\t0x1358', '\tCaller Process Name:\tC:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe', '',
      'Network Information:', '\tWorkstation Name:\tMSEDGEWIN10', '\tSource Network Address:\t-', '\tSource Port:\t\t-', '',
      'Detailed Authentication Information:', '\tLogon Process:\t\tChrome', '\tAuthentication Package:\tNegotiate',
    );
    expect(messageItems(SECURITY, 4625, message)).toMatchObject({
      SubjectUserName: 'IEUser', LogonType: '2', TargetUserSid: 'S-1-0-0', TargetUserName: 'IEUser', TargetDomainName: 'MSEDGEWIN10',
      Status: '0xc000006d', SubStatus: '0xc000006a', WorkstationName: 'MSEDGEWIN10', IpAddress: '-', IpPort: '-',
      LogonProcessName: 'Chrome', AuthenticationPackageName: 'Negotiate',
    });
  });

  it('4648 (record 227700): the account whose credentials were used, the target server', () => {
    const message = lines(
      'A logon was attempted using explicit credentials.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-18', '\tAccount Name:\t\tPC01$', '\tAccount Domain:\t\tEXAMPLE', '\tLogon ID:\t\t0x3e7',
      '\tLogon GUID:\t\t{00000000-0000-0000-0000-000000000000}', '',
      'Account Whose Credentials Were Used:', '\tAccount Name:\t\tuser01', '\tAccount Domain:\t\tEXAMPLE', '\tLogon GUID:\t\t{00000000-0000-0000-0000-000000000000}', '',
      'Target Server:', '\tTarget Server Name:\tlocalhost', '\tAdditional Information:\tlocalhost', '',
      'Process Information:', '\tProcess ID:\t\t0x704', '\tProcess Name:\t\tC:\\Windows\\System32\\winlogon.exe', '',
      'Network Information:', '\tNetwork Address:\t127.0.0.1', '\tPort:\t\t\t0',
    );
    expect(messageItems(SECURITY, 4648, message)).toMatchObject({
      SubjectUserName: 'PC01$', TargetUserName: 'user01', TargetDomainName: 'EXAMPLE', TargetServerName: 'localhost', TargetInfo: 'localhost',
      ProcessName: 'C:\\Windows\\System32\\winlogon.exe', IpAddress: '127.0.0.1', IpPort: '0',
    });
  });

  it("4672 (record 227739): the privilege list's continuation lines", () => {
    const message = lines(
      'Special privileges assigned to new logon.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-21-1587066498-1489273250-1035260531-1108', '\tAccount Name:\t\tadmin01', '\tAccount Domain:\t\tEXAMPLE', '\tLogon ID:\t\t0x14871d', '',
      'Privileges:\t\tSeSecurityPrivilege', '\t\t\tSeBackupPrivilege', '\t\t\tSeDebugPrivilege',
    );
    expect(messageItems(SECURITY, 4672, message)).toEqual({
      SubjectUserSid: 'S-1-5-21-1587066498-1489273250-1035260531-1108', SubjectUserName: 'admin01', SubjectDomainName: 'EXAMPLE', SubjectLogonId: '0x14871d',
      PrivilegeList: 'SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeDebugPrivilege',
    });
  });

  it('4698 (Execution/temp_scheduled_task_4698_4699.evtx, record 566836): the task XML over many lines', () => {
    const message = lines(
      'A scheduled task was created.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-21-1587066498-1489273250-1035260531-500', '\tAccount Name:\t\tAdministrator', '\tAccount Domain:\t\tEXAMPLE', '\tLogon ID:\t\t0x17e2d2', '',
      'Task Information:', '\tTask Name: \t\t\\CYAlyNSS', '\tTask Content: \t\t<?xml version="1.0" encoding="UTF-16"?>',
      '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">', '  <Actions Context="LocalSystem">', '    <Exec>',
      '      <Command>cmd.exe</Command>', '      <Arguments>/C tasklist &gt; %windir%\\Temp\\CYAlyNSS.tmp 2&gt;&amp;1</Arguments>', '    </Exec>', '  </Actions>', '</Task>',
    );
    const items = messageItems(SECURITY, 4698, message);
    expect(items.TaskName).toBe('\\CYAlyNSS');
    expect(items.TaskContent).toMatch(/^<\?xml version="1.0" encoding="UTF-16"\?>\n<Task version="1.2"/);
    expect(items.TaskContent).toContain('<Arguments>/C tasklist &gt; %windir%\\Temp\\CYAlyNSS.tmp 2&gt;&amp;1</Arguments>');
  });

  it('5145 (Credential Access/CA_protectedstorage_5145_rpc_masterkey.evtx, record 886983) and 4732 (Persistence/Network_Service_Guest_added_to_admins_4732.evtx)', () => {
    expect(messageItems(SECURITY, 5145, lines(
      'A network share object was checked to see whether client can be granted desired access.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-21-308926384-506822093-3341789130-107103', '\tAccount Name:\t\tbackdoor', '\tAccount Domain:\t\t3B', '\tLogon ID:\t\t0x4e5197', '',
      'Network Information:\t', '\tObject Type:\t\tFile', '\tSource Address:\t\t172.16.66.1', '\tSource Port:\t\t52415', '\t',
      'Share Information:', '\tShare Name:\t\t\\\\*\\IPC$', '\tShare Path:\t\t', '\tRelative Target Name:\tprotected_storage',
    ))).toMatchObject({ SubjectUserName: 'backdoor', ObjectType: 'File', IpAddress: '172.16.66.1', IpPort: '52415', ShareName: '\\\\*\\IPC$', ShareLocalPath: '', RelativeTargetName: 'protected_storage' });
    expect(messageItems(SECURITY, 4732, lines(
      'A member was added to a security-enabled local group.', '',
      'Subject:', '\tSecurity ID:\t\tS-1-5-21-3461203602-4096304019-2269080069-1000', '\tAccount Name:\t\tIEUser', '\tAccount Domain:\t\tMSEDGEWIN10', '\tLogon ID:\t\t0x27a10f', '',
      'Member:', '\tSecurity ID:\t\tS-1-5-21-3461203602-4096304019-2269080069-501', '\tAccount Name:\t\t-', '',
      'Group:', '\tSecurity ID:\t\tS-1-5-32-544', '\tGroup Name:\t\tAdministrators', '\tGroup Domain:\t\tBuiltin',
    ))).toMatchObject({
      SubjectUserName: 'IEUser', MemberSid: 'S-1-5-21-3461203602-4096304019-2269080069-501', MemberName: '-',
      TargetSid: 'S-1-5-32-544', TargetUserName: 'Administrators', TargetDomainName: 'Builtin',
    });
  });
});

describe('windows-message: fixed layouts', () => {
  it('7045 (Lateral Movement/LM_Remote_Service02_7045.evtx, record 4480): the service installed', () => {
    const message = lines(
      'A service was installed in the system.', '',
      'Service Name:  spoolfool', 'Service File Name:  cmd.exe', 'Service Type:  user mode service', 'Service Start Type:  auto start', 'Service Account:  LocalSystem',
    );
    expect(messageItems('Service Control Manager', 7045, message)).toEqual({
      ServiceName: 'spoolfool', ImagePath: 'cmd.exe', ServiceType: 'user mode service', StartType: 'auto start', AccountName: 'LocalSystem',
    });
  });

  it('4104 (Credential Access/Powershell_4104_MiniDumpWriteDump_Lsass.evtx, record 971): the script block, its id and path', () => {
    const script = 'function Memory($path)\r\n{\r\n\t\t$Process = Get-Process lsass\r\n\r\n\t\t# ScriptBlock ID: not this one\r\n}';
    const message = lines('Creating Scriptblock text (1 of 1):', script, '', 'ScriptBlock ID: 27f08bda-c330-419f-b83b-eb5c0f699930', 'Path: C:\\Users\\Public\\lsass_wer_ps.ps1');
    expect(messageItems('Microsoft-Windows-PowerShell', 4104, message)).toEqual({
      MessageNumber: '1', MessageTotal: '1', ScriptBlockText: script, ScriptBlockId: '27f08bda-c330-419f-b83b-eb5c0f699930', Path: 'C:\\Users\\Public\\lsass_wer_ps.ps1',
    });
  });

  it('other events and unknown layouts: nothing by name', () => {
    expect(messageItems('MsiInstaller', 1040, 'Beginning a Windows Installer transaction: x. Client Process Id: 42.')).toEqual({});
    expect(messageItems('Microsoft-Windows-PowerShell', 4104, 'Creating Scriptblock text (1 of 1):\nno id follows')).toEqual({});
  });

  it("labels and sections named like an object's own properties are no items, and break nothing", () => {
    const odd = lines('Something happened.', '', 'constructor:', '\ttoString:\t\tx', '\tAccount Name:\t\tbob', 'hasOwnProperty:\t\ty', '__proto__:\t\tz');
    for (const [provider, id] of [[SECURITY, 4624], ['Service Control Manager', 7045], ['Microsoft-Windows-Sysmon', 1]] as const) {
      const items = messageItems(provider, id, odd);
      expect(Object.getPrototypeOf(items)).toBe(Object.prototype);
      for (const key of Object.keys(items)) expect(['TargetUserName', 'SubjectUserName', 'toString', 'hasOwnProperty', 'constructor', 'Account'], key).toContain(key);
    }
    // Security: `Account Name` outside any section of ours is no subject's or target's.
    expect(messageItems(SECURITY, 4624, odd)).toEqual({});
  });
});
