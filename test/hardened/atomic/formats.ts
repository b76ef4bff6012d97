/**
 * Renders a scenario (scenarios.ts) as each sensor writes it. Field sets and encodings follow
 * the sensors' documentation: the Sysmon schema (events 1, 3, 11, 22; Linux-Sysmon over syslog),
 * Security 4688 (versions 1 and 2, command-line logging on or off), Defender Advanced Hunting
 * tables (DeviceProcessEvents, DeviceFileEvents, DeviceNetworkEvents; CSV with `$table`, JSON as
 * the API's Schema/Results), evtx_dump's JSON lines, Winlogbeat's ECS documents, OTRF's flat
 * rows, the Linux audit log (SYSCALL/EXECVE/CWD/PATH/SOCKADDR/PROCTITLE/EOE; values hex-encoded
 * when they hold a space, a quote or a control character; no host names) and AUOMS rows.
 */
import { sysmonEvtx } from './evtx-render.js';
import { commandLineOf, processes, proc, type Proc, type Scenario, type Step } from './scenarios.js';

export interface Format {
  name: string;
  /** The reader supplywatch must pick for it. */
  reader: string;
  os: 'windows' | 'linux' | 'macos';
  extension: string;
  render(s: Scenario): string | Buffer;
}

const time = (s: Scenario, at: number) => new Date(Date.parse(s.start) + at);
const iso7 = (d: Date) => `${d.toISOString().slice(0, 23)}${String(d.getUTCMilliseconds() % 10)}${'412'}Z`;
const utc = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 23);
const guid = (pid: number) => `{5f1c2a10-${(pid * 7919).toString(16).padStart(4, '0').slice(-4)}-6747-${pid.toString(16).padStart(4, '0')}-00000000${pid.toString(16).padStart(4, '0')}}`;
const xml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const base = (p: string) => p.slice(Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/')) + 1);

const ORIGINAL: Record<string, string> = { 'cmd.exe': 'Cmd.Exe', 'powershell.exe': 'PowerShell.EXE', 'whoami.exe': 'whoami.exe', 'node.exe': 'node.exe', 'python.exe': 'python.exe', 'pip.exe': 'pip.exe' };

function parentOf(s: Scenario, p: Proc): Proc | undefined {
  return p.parent === undefined ? undefined : proc(s, p.parent);
}

/** Sysmon EventData (name → value) for one step, Windows or Linux flavour. */
function sysmonData(s: Scenario, step: Step, linux: boolean): { id: number; data: Array<[string, string]> } | undefined {
  const user = linux ? s.user : s.user;
  if (step.kind === 'proc') {
    const p = step.proc;
    if (!p.logged) return undefined;
    const parent = parentOf(s, p)!;
    const t = utc(time(s, p.at));
    const na = linux ? '-' : undefined;
    return {
      id: 1,
      data: [
        ['RuleName', '-'], ['UtcTime', t], ['ProcessGuid', guid(p.pid)], ['ProcessId', String(p.pid)], ['Image', p.image],
        ['FileVersion', na ?? '10.0.19041.3636'], ['Description', na ?? '-'], ['Product', na ?? '-'], ['Company', na ?? '-'],
        ['OriginalFileName', na ?? ORIGINAL[base(p.image).toLowerCase()] ?? '-'],
        ['CommandLine', commandLineOf(p)], ['CurrentDirectory', p.cwd], ['User', user],
        ['LogonGuid', linux ? '{5f1c2a10-0000-0000-e803-000000000000}' : '{5f1c2a10-4c41-5848-ccd8-3b86f02fd99e}'], ['LogonId', linux ? '1000' : '0x2f4a1c'],
        ['TerminalSessionId', linux ? '4' : '1'], ['IntegrityLevel', linux ? 'no level' : 'Medium'], ['Hashes', linux ? '-' : 'SHA256=63743E1CD518CB72B6B40DF2C7B8504AC4F116058D68098911EC3D5F50F1F385'],
        ['ParentProcessGuid', guid(parent.pid)], ['ParentProcessId', String(parent.pid)], ['ParentImage', parent.image],
        ['ParentCommandLine', commandLineOf(parent)], ['ParentUser', user],
      ],
    };
  }
  if (step.kind === 'net') {
    const p = proc(s, step.by);
    const local = step.ip === '127.0.0.1' ? '127.0.0.1' : linux ? '10.0.2.15' : '10.20.4.17';
    return {
      id: 3,
      data: [
        ['RuleName', '-'], ['UtcTime', utc(time(s, step.at))], ['ProcessGuid', guid(p.pid)], ['ProcessId', String(p.pid)], ['Image', p.image], ['User', user],
        ['Protocol', 'tcp'], ['Initiated', 'true'], ['SourceIsIpv6', 'false'], ['SourceIp', local], ['SourceHostname', linux ? '-' : s.host], ['SourcePort', String(49000 + (step.at % 9000))], ['SourcePortName', '-'],
        ['DestinationIsIpv6', 'false'], ['DestinationIp', step.ip], ['DestinationHostname', step.hostname ?? '-'], ['DestinationPort', String(step.port)], ['DestinationPortName', step.port === 443 ? 'https' : '-'],
      ],
    };
  }
  if (step.kind === 'file') {
    const p = proc(s, step.by);
    const t = utc(time(s, step.at));
    return { id: 11, data: [['RuleName', '-'], ['UtcTime', t], ['ProcessGuid', guid(p.pid)], ['ProcessId', String(p.pid)], ['Image', p.image], ['TargetFilename', step.path], ['CreationUtcTime', t], ['User', user]] };
  }
  if (linux) return undefined; // Sysmon for Linux has no DNS event
  const p = proc(s, step.by);
  return {
    id: 22,
    data: [['RuleName', '-'], ['UtcTime', utc(time(s, step.at))], ['ProcessGuid', guid(p.pid)], ['ProcessId', String(p.pid)], ['QueryName', step.name], ['QueryStatus', '0'], ['QueryResults', step.ips.map((ip) => `::ffff:${ip};`).join('')], ['Image', p.image], ['User', user]],
  };
}

const TASK: Record<number, number> = { 1: 1, 3: 3, 11: 11, 22: 22 };
const VERSION: Record<number, number> = { 1: 5, 3: 5, 11: 2, 22: 5 };
const SYSMON_GUID = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
const LINUX_SYSMON_GUID = '{ff032593-a8d3-4f13-b0d6-01fc615a0f97}';

function sysmonRecords(s: Scenario, linux: boolean) {
  let record = 48200;
  const out: Array<{ id: number; data: Array<[string, string]>; at: number; record: number }> = [];
  for (const step of s.steps) {
    const d = sysmonData(s, step, linux);
    if (d) out.push({ ...d, at: step.kind === 'proc' ? step.proc.at : step.at, record: (record += 1) });
  }
  return out;
}

/** `<Event>` as wevtutil qe /f:xml and Get-WinEvent's ToXml() write it (single-quoted attributes). */
function sysmonEventXml(s: Scenario, r: ReturnType<typeof sysmonRecords>[number]): string {
  return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='${SYSMON_GUID}'/><EventID>${r.id}</EventID><Version>${VERSION[r.id]}</Version><Level>4</Level><Task>${TASK[r.id]}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='${iso7(time(s, r.at))}'/><EventRecordID>${r.record}</EventRecordID><Correlation/><Execution ProcessID='3120' ThreadID='4408'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${s.host}</Computer><Security UserID='S-1-5-18'/></System><EventData>${r.data.map(([k, v]) => `<Data Name='${k}'>${xml(v)}</Data>`).join('')}</EventData></Event>`;
}

/** Sysmon for Linux's syslog line (rsyslog's default BSD layout, double-quoted attributes). */
function linuxSysmonLine(s: Scenario, r: ReturnType<typeof sysmonRecords>[number]): string {
  const d = time(s, r.at);
  const stamp = `${d.toUTCString().slice(8, 11)} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
  const body = `<Event><System><Provider Name="Linux-Sysmon" Guid="${LINUX_SYSMON_GUID}"/><EventID>${r.id}</EventID><Version>${VERSION[r.id]}</Version><Level>4</Level><Task>${TASK[r.id]}</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="${d.toISOString().slice(0, 23)}123000Z"/><EventRecordID>${r.record}</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>${s.host}</Computer><Security UserId="0"/></System><EventData>${r.data.map(([k, v]) => `<Data Name="${k}">${xml(v)}</Data>`).join('')}</EventData></Event>`;
  return `${stamp} ${s.host} sysmon[812]: ${body}`;
}

const NUMERIC = new Set(['ProcessId', 'ParentProcessId', 'SourcePort', 'DestinationPort', 'TerminalSessionId', 'QueryStatus']);

/** evtx_dump -o jsonl: one `{"Event":{…}}` per line, typed values as JSON numbers. */
function evtxJsonLine(s: Scenario, r: ReturnType<typeof sysmonRecords>[number]): string {
  const data: Record<string, string | number> = {};
  for (const [k, v] of r.data) data[k] = NUMERIC.has(k) && /^\d+$/.test(v) ? Number(v) : v;
  return JSON.stringify({
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: SYSMON_GUID } },
        EventID: r.id, Version: VERSION[r.id], Level: 4, Task: TASK[r.id], Opcode: 0, Keywords: '0x8000000000000000',
        TimeCreated: { '#attributes': { SystemTime: iso7(time(s, r.at)) } }, EventRecordID: r.record, Correlation: null,
        Execution: { '#attributes': { ProcessID: 3120, ThreadID: 4408 } }, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: s.host,
        Security: { '#attributes': { UserID: 'S-1-5-18' } },
      },
      EventData: data,
    },
  });
}

/** Winlogbeat 8 with the Sysmon module: winlog.event_data as strings, ECS copies beside them. */
function winlogbeatLine(s: Scenario, r: ReturnType<typeof sysmonRecords>[number]): string {
  const data = Object.fromEntries(r.data);
  const category = r.id === 1 ? ['process'] : r.id === 3 ? ['network'] : r.id === 11 ? ['file'] : ['network'];
  const doc: Record<string, unknown> = {
    '@timestamp': time(s, r.at).toISOString(),
    event: { code: String(r.id), provider: 'Microsoft-Windows-Sysmon', kind: 'event', module: 'sysmon', category },
    host: { name: s.host.toLowerCase() },
    winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: String(r.id), provider_name: 'Microsoft-Windows-Sysmon', provider_guid: SYSMON_GUID, computer_name: s.host, record_id: r.record, api: 'wineventlog', process: { pid: 3120, thread: { id: 4408 } }, event_data: data },
    process: { pid: Number(data.ProcessId), executable: data.Image, entity_id: data.ProcessGuid, ...(data.CommandLine ? { command_line: data.CommandLine } : {}) },
  };
  return JSON.stringify(doc);
}

/** OTRF Security-Datasets rows: System fields and EventData keys side by side. */
function otrfLine(s: Scenario, r: ReturnType<typeof sysmonRecords>[number]): string {
  const t = time(s, r.at).toISOString();
  return JSON.stringify({ '@timestamp': t, TimeCreated: t, EventID: r.id, SourceName: 'Microsoft-Windows-Sysmon', Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: s.host, RecordNumber: r.record, ...Object.fromEntries(r.data) });
}

/** Security 4688: `version` 2 has ParentProcessName (Windows 10+), 1 does not; command-line logging may be off. */
function security4688(s: Scenario, version: 1 | 2, commandLines: boolean): string {
  let record = 912700;
  const [domain, name] = s.user.split('\\') as [string, string];
  const events = processes(s)
    .filter((p) => p.logged)
    .map((p) => {
      const parent = parentOf(s, p)!;
      const hex = (n: number) => `0x${n.toString(16)}`;
      const data: Array<[string, string]> = [
        ['SubjectUserSid', 'S-1-5-21-3623811015-3361044348-30300820-1013'], ['SubjectUserName', name], ['SubjectDomainName', domain], ['SubjectLogonId', '0x2f4a1c'],
        ['NewProcessId', hex(p.pid)], ['NewProcessName', p.image], ['TokenElevationType', '%%1938'], ['ProcessId', hex(parent.pid)],
        ['CommandLine', commandLines ? commandLineOf(p) : ''],
      ];
      if (version === 2) data.push(['TargetUserSid', 'S-1-0-0'], ['TargetUserName', '-'], ['TargetDomainName', '-'], ['TargetLogonId', '0x0'], ['ParentProcessName', parent.image], ['MandatoryLabel', 'S-1-16-8192']);
      return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>4688</EventID><Version>${version}</Version><Level>0</Level><Task>13312</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='${iso7(time(s, p.at))}'/><EventRecordID>${(record += 1)}</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='8712'/><Channel>Security</Channel><Computer>${s.host}</Computer><Security/></System><EventData>${data.map(([k, v]) => (v === '' ? `<Data Name='${k}'></Data>` : `<Data Name='${k}'>${xml(v)}</Data>`)).join('')}</EventData></Event>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n${events.join('\n')}\n</Events>\n`;
}

const DEFENDER_COLUMNS = [
  '$table', 'Timestamp', 'DeviceId', 'DeviceName', 'ReportId', 'ActionType', 'FileName', 'FolderPath', 'ProcessVersionInfoOriginalFileName', 'ProcessId', 'ProcessCommandLine', 'ProcessCreationTime',
  'AccountDomain', 'AccountName', 'InitiatingProcessAccountDomain', 'InitiatingProcessAccountName', 'InitiatingProcessFileName', 'InitiatingProcessFolderPath', 'InitiatingProcessId',
  'InitiatingProcessCommandLine', 'InitiatingProcessCreationTime', 'InitiatingProcessParentFileName', 'InitiatingProcessParentId', 'RemoteIP', 'RemotePort', 'RemoteUrl', 'LocalIP', 'LocalPort', 'Protocol', 'RemoteIPType',
] as const;

/** Advanced Hunting rows (DeviceProcessEvents, DeviceFileEvents, DeviceNetworkEvents; Defender has no DNS answers table). */
function defenderRows(s: Scenario): Array<Record<string, string | number>> {
  const [domain, name] = s.user.split('\\') as [string, string];
  let report = 69900;
  const rows: Array<Record<string, string | number>> = [];
  const initiating = (p: Proc) => {
    const parent = parentOf(s, p);
    return {
      InitiatingProcessAccountDomain: domain.toLowerCase(), InitiatingProcessAccountName: name, InitiatingProcessFileName: base(p.image).toLowerCase(), InitiatingProcessFolderPath: p.image.toLowerCase(),
      InitiatingProcessId: p.pid, InitiatingProcessCommandLine: commandLineOf(p), InitiatingProcessCreationTime: iso7(time(s, p.at)),
      InitiatingProcessParentFileName: parent ? base(parent.image).toLowerCase() : '', InitiatingProcessParentId: parent?.pid ?? 0,
    };
  };
  for (const step of s.steps) {
    const common = { DeviceId: '873542c51e4d80f5e6d6fd83fdd2fcb5a734d5d5', DeviceName: s.host.toLowerCase(), ReportId: (report += 1) };
    if (step.kind === 'proc' && step.proc.logged) {
      const p = step.proc;
      rows.push({ $table: 'DeviceProcessEvents', Timestamp: iso7(time(s, p.at)), ...common, ActionType: 'ProcessCreated', FileName: base(p.image).toLowerCase(), FolderPath: p.image, ProcessVersionInfoOriginalFileName: ORIGINAL[base(p.image).toLowerCase()] ?? '', ProcessId: p.pid, ProcessCommandLine: commandLineOf(p), ProcessCreationTime: iso7(time(s, p.at)), AccountDomain: domain.toLowerCase(), AccountName: name, ...initiating(parentOf(s, p)!) });
    } else if (step.kind === 'file') {
      rows.push({ $table: 'DeviceFileEvents', Timestamp: iso7(time(s, step.at)), ...common, ActionType: 'FileCreated', FileName: base(step.path), FolderPath: step.path, ...initiating(proc(s, step.by)) });
    } else if (step.kind === 'net') {
      rows.push({ $table: 'DeviceNetworkEvents', Timestamp: iso7(time(s, step.at)), ...common, ActionType: 'ConnectionSuccess', RemoteIP: step.ip, RemotePort: step.port, RemoteUrl: step.hostname ?? '', LocalIP: step.ip === '127.0.0.1' ? '127.0.0.1' : '10.20.4.17', LocalPort: 49000 + (step.at % 9000), Protocol: 'Tcp', RemoteIPType: step.ip === '127.0.0.1' ? 'Loopback' : 'Public', ...initiating(proc(s, step.by)) });
    }
  }
  return rows;
}

const csvCell = (v: string | number | undefined) => {
  const t = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

// ---- Linux audit ----

/** auditd's encoding of an untrusted string: quoted when plain, else upper-case hex of the bytes. */
function auditValue(v: string): string {
  return /^[\x21-\x7e]*$/.test(v) && !v.includes('"') ? `"${v}"` : Buffer.from(v).toString('hex').toUpperCase();
}

function auditIds(s: Scenario) {
  let serial = 811200;
  return (at: number) => `${(time(s, at).getTime() / 1000).toFixed(3)}:${(serial += 1)}`;
}

const ARGV = (p: Proc) => p.argv ?? [p.image];

const AUDIT_CREDS = 'auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts1 ses=4';

/** The records of one successful execve. */
function auditExec(m: string, p: Proc, parent: Proc, image: string, argv: string[]): string[] {
  return [
    `type=SYSCALL ${m}: arch=c000003e syscall=59 success=yes exit=0 a0=55d0c1a2b4f0 a1=55d0c1a2b6a8 a2=55d0c1a2b6d0 a3=8 items=2 ppid=${parent.pid} pid=${p.pid} ${AUDIT_CREDS} comm=${auditValue(base(image).slice(0, 15))} exe=${auditValue(image)} subj=unconfined key="exec"`,
    `type=EXECVE ${m}: argc=${argv.length} ${argv.map((a, i) => `a${i}=${auditValue(a)}`).join(' ')}`,
    `type=CWD ${m}: cwd=${auditValue(p.cwd)}`,
    `type=PATH ${m}: item=0 name=${auditValue(image)} inode=${1000 + p.pid} dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PATH ${m}: item=1 name="/lib64/ld-linux-x86-64.so.2" inode=1311 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PROCTITLE ${m}: proctitle=${Buffer.from(argv.join('\0')).toString('hex').toUpperCase()}`,
    `type=EOE ${m}: `,
  ];
}

function auditdLog(s: Scenario): string {
  const id = auditIds(s);
  const lines: string[] = [];
  for (const step of s.steps) {
    if (step.kind === 'proc' && step.proc.logged) {
      const p = step.proc;
      const parent = parentOf(s, p)!;
      if (p.viaEnv) lines.push(...auditExec(`msg=audit(${id(p.at - 1)})`, p, parent, '/usr/bin/env', ['/usr/bin/env', ...ARGV(p)]));
      lines.push(...auditExec(`msg=audit(${id(p.at)})`, p, parent, p.image, ARGV(p)));
    } else if (step.kind === 'net') {
      const p = proc(s, step.by);
      const m = `msg=audit(${id(step.at)})`;
      const ip = step.ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('').toUpperCase();
      // node connects non-blocking: connect() returns EINPROGRESS (-115); python blocks and succeeds.
      const result = base(p.image) === 'node' ? 'success=no exit=-115' : 'success=yes exit=0';
      lines.push(`type=SYSCALL ${m}: arch=c000003e syscall=42 ${result} a0=15 a1=7ffd4c2e1a30 a2=10 a3=0 items=0 ppid=${parentOf(s, p)!.pid} pid=${p.pid} ${AUDIT_CREDS} comm=${auditValue(base(p.image).slice(0, 15))} exe=${auditValue(p.image)} subj=unconfined key="network"`);
      lines.push(`type=SOCKADDR ${m}: saddr=0200${step.port.toString(16).padStart(4, '0').toUpperCase()}${ip}0000000000000000`);
      lines.push(`type=PROCTITLE ${m}: proctitle=${Buffer.from(ARGV(p).join('\0')).toString('hex').toUpperCase()}`);
      lines.push(`type=EOE ${m}: `);
    }
    // File writes: the common execve/connect audit rules record none (the command-line rules cover them).
  }
  return `${lines.join('\n')}\n`;
}

/** AUOMS's execve rows (its free-text cmdline joins argv, quoting arguments with spaces). */
function auomsLog(s: Scenario): string {
  const id = auditIds(s);
  const lines: string[] = [];
  const row = (at: number, p: Proc, parent: Proc, image: string, argv: string[]) => {
    const cmdline = argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');
    return `type=AUOMS_EXECVE audit(${id(at)}): SchemaVersion="1" auoms_version=2.5.2.0 node=${s.host} arch=x86_64 syscall=execve syscall_r=59 success=yes exit=0 a0=55d0c1a2b4f0 a1=55d0c1a2b6a8 a2=55d0c1a2b6d0 a3=8 ppid=${parent.pid} pid=${p.pid} audit_user=${s.user} auid=1000 user=${s.user} uid=1000 group=${s.user} gid=1000 effective_user=${s.user} euid=1000 set_user=${s.user} suid=1000 filesystem_user=${s.user} fsuid=1000 effective_group=${s.user} egid=1000 set_group=${s.user} sgid=1000 filesystem_group=${s.user} fsgid=1000 tty=pts1 ses="4" comm="${base(image).slice(0, 15)}" exe="${image}" key=auoms,execve key_r=61756F6D73016578656376650A cwd="${p.cwd}" name="${image}" inode=${1000 + p.pid} dev=fd:01 mode=file,755 o_user=root ouid=0 owner_group=root ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0 path_name=["${image}","/lib64/ld-linux-x86-64.so.2"] path_nametype=["NORMAL","NORMAL"] path_mode=["0100755","0100755"] path_ouid=["0","0"] path_ogid=["0","0"] argc=${argv.length} cmdline="${cmdline}" redactors= containerid=`;
  };
  for (const p of processes(s).filter((x) => x.logged)) {
    const parent = parentOf(s, p)!;
    if (p.viaEnv) lines.push(row(p.at - 1, p, parent, '/usr/bin/env', ['/usr/bin/env', ...ARGV(p)]));
    lines.push(row(p.at, p, parent, p.image, ARGV(p)));
  }
  return `${lines.join('\n')}\n`;
}

/** macOS has no Sysmon: Endpoint Security–style observations in the normalized shape `supplywatch dump` prints. */
function macosSensorNdjson(s: Scenario): string {
  let line = 0;
  const out: string[] = [];
  const emit = (at: number, category: string, fields: Record<string, unknown>) => {
    const t = time(s, at);
    out.push(JSON.stringify({ time: t.toISOString(), category, product: 'macos', host: s.host, user: s.user, fields: { Computer: s.host, UtcTime: utc(t), ...fields, User: s.user }, source: { file: `${s.id}.ndjson`, format: 'sensor', line: (line += 1) } }));
  };
  for (const step of s.steps) {
    if (step.kind === 'proc' && step.proc.logged) {
      const p = step.proc;
      const parent = parentOf(s, p)!;
      emit(p.at, 'process_creation', { ProcessId: p.pid, Image: p.image, CommandLine: commandLineOf(p), CurrentDirectory: p.cwd, ParentProcessId: parent.pid, ParentImage: parent.image, ParentCommandLine: commandLineOf(parent) });
    } else if (step.kind === 'net') {
      const p = proc(s, step.by);
      emit(step.at, 'network_connection', { ProcessId: p.pid, Image: p.image, Protocol: 'tcp', Initiated: 'true', SourceIp: '10.0.243.76', SourcePort: 49000 + (step.at % 9000), DestinationIp: step.ip, ...(step.hostname ? { DestinationHostname: step.hostname } : {}), DestinationPort: step.port });
    } else if (step.kind === 'dns') {
      const p = proc(s, step.by);
      emit(step.at, 'dns_query', { ProcessId: p.pid, Image: p.image, QueryName: step.name, QueryStatus: '0', QueryResults: step.ips.map((ip) => `::ffff:${ip};`).join('') });
    } else if (step.kind === 'file') {
      const p = proc(s, step.by);
      emit(step.at, 'file_event', { ProcessId: p.pid, Image: p.image, TargetFilename: step.path });
    }
  }
  return `${out.join('\n')}\n`;
}

export const MACOS_SENSOR: Format = { name: 'macos-sensor-ndjson', reader: 'sigma-ndjson', os: 'macos', extension: 'ndjson', render: macosSensorNdjson };

export const FORMATS: Format[] = [
  { name: 'sysmon-event-xml', reader: 'windows-xml', os: 'windows', extension: 'xml', render: (s) => `<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n${sysmonRecords(s, false).map((r) => sysmonEventXml(s, r)).join('\n')}\n</Events>\n` },
  { name: 'sysmon-evtx', reader: 'evtx', os: 'windows', extension: 'evtx', render: (s) => sysmonEvtx(sysmonRecords(s, false).map((r) => ({ eventId: r.id, recordId: r.record, time: time(s, r.at), computer: s.host, data: r.data }))) },
  { name: 'sysmon-evtx-dump-jsonl', reader: 'evtx-json', os: 'windows', extension: 'jsonl', render: (s) => `${sysmonRecords(s, false).map((r) => evtxJsonLine(s, r)).join('\n')}\n` },
  { name: 'sysmon-winlogbeat', reader: 'winlogbeat', os: 'windows', extension: 'ndjson', render: (s) => `${sysmonRecords(s, false).map((r) => winlogbeatLine(s, r)).join('\n')}\n` },
  { name: 'sysmon-otrf', reader: 'otrf', os: 'windows', extension: 'json', render: (s) => `${sysmonRecords(s, false).map((r) => otrfLine(s, r)).join('\n')}\n` },
  { name: 'security-4688', reader: 'windows-xml', os: 'windows', extension: 'xml', render: (s) => security4688(s, 2, true) },
  { name: 'security-4688-v1-no-parent-name', reader: 'windows-xml', os: 'windows', extension: 'xml', render: (s) => security4688(s, 1, true) },
  { name: 'security-4688-no-command-line', reader: 'windows-xml', os: 'windows', extension: 'xml', render: (s) => security4688(s, 2, false) },
  { name: 'defender-csv', reader: 'defender', os: 'windows', extension: 'csv', render: (s) => [DEFENDER_COLUMNS.join(','), ...defenderRows(s).map((r) => DEFENDER_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n' },
  { name: 'defender-json', reader: 'defender', os: 'windows', extension: 'json', render: (s) => JSON.stringify({ Schema: DEFENDER_COLUMNS.filter((c) => c !== '$table').map((c) => ({ Name: c, Type: /Id$|Port$/.test(c) ? 'Int64' : 'String' })), Results: defenderRows(s).map(({ $table: _t, ...r }) => r) }, null, 1) },
  { name: 'auditd-raw', reader: 'auditd', os: 'linux', extension: 'audit', render: auditdLog },
  { name: 'auoms', reader: 'auditd', os: 'linux', extension: 'auoms', render: auomsLog },
  { name: 'sysmon-linux-syslog', reader: 'sysmon-linux-syslog', os: 'linux', extension: 'syslog', render: (s) => `${sysmonRecords(s, true).map((r) => linuxSysmonLine(s, r)).join('\n')}\n` },
];
