/**
 * Windows event log → Sigma logsource, shared by every reader of Windows events (evtx-json,
 * winlogbeat, otrf, sigma-ndjson). Also adds the Sigma field names Security 4688 lacks, and
 * sets `host`/`user`, so a process_creation rule sees the same fields whatever log it came from.
 *
 * Registry: Sysmon 12/13/14 get the specific SigmaHQ categories (registry_add or registry_delete
 * by EventType, registry_set, registry_rename). SigmaHQ's umbrella `registry_event` (any of
 * 12/13/14) is NOT set here: the rule matcher must treat a `registry_event` rule as matching
 * events of those four categories (see README.md).
 */
import type { Fields, LogSource, NormalizedEvent, Provenance } from '../events/event.js';

export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';
export const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';
export const SECURITY_PROVIDER = 'Microsoft-Windows-Security-Auditing';
const LINUX_SYSMON_PROVIDER = 'Linux-Sysmon';
const LINUX_SYSMON_CHANNEL = 'Linux-Sysmon/Operational';

/** Sysmon EventID → SigmaHQ category (https://learn.microsoft.com/sysinternals/downloads/sysmon). */
const SYSMON_CATEGORIES: Record<number, string> = {
  1: 'process_creation',
  2: 'file_change',
  3: 'network_connection',
  4: 'sysmon_status',
  5: 'process_termination',
  6: 'driver_load',
  7: 'image_load',
  8: 'create_remote_thread',
  9: 'raw_access_thread',
  10: 'process_access',
  11: 'file_event',
  12: 'registry_add',
  13: 'registry_set',
  14: 'registry_rename',
  15: 'create_stream_hash',
  16: 'sysmon_status',
  17: 'pipe_created',
  18: 'pipe_created',
  19: 'wmi_event',
  20: 'wmi_event',
  21: 'wmi_event',
  22: 'dns_query',
  23: 'file_delete',
  24: 'clipboard_capture',
  25: 'process_tampering',
  26: 'file_delete_detected',
  27: 'file_block_executable',
  28: 'file_block_shredding',
  29: 'file_executable_detected',
  255: 'sysmon_error',
};

/** What identifies a Windows-style event record. */
export interface WindowsEventId {
  channel?: string;
  provider?: string;
  eventId?: number;
}

/** Sigma logsource for a Windows (or Sysmon for Linux) event; empty when nothing is known. */
export function windowsLogSource(id: WindowsEventId, fields: Fields): LogSource {
  const { channel, provider, eventId } = id;
  if (provider === LINUX_SYSMON_PROVIDER || channel === LINUX_SYSMON_CHANNEL) {
    return withCategory({ product: 'linux', service: 'sysmon' }, sysmonCategory(eventId, fields));
  }
  const service = channel === undefined || channel === '' ? undefined : channelService(channel);
  if (service === 'sysmon' || provider === SYSMON_PROVIDER) {
    return withCategory({ product: 'windows', service: 'sysmon' }, sysmonCategory(eventId, fields));
  }
  if (service === 'security') {
    return withCategory({ product: 'windows', service: 'security' }, eventId === 4688 ? 'process_creation' : undefined);
  }
  if (channel !== undefined && channel !== '') {
    const logSource: LogSource = service === undefined ? { product: 'windows' } : { product: 'windows', service };
    return withCategory(logSource, service === undefined || eventId === undefined ? undefined : SERVICE_CATEGORIES[service]?.[eventId]);
  }
  return {};
}

function sysmonCategory(eventId: number | undefined, fields: Fields): string | undefined {
  if (eventId === undefined) return undefined;
  if (eventId === 12) {
    const type = fields.EventType;
    if (type === 'DeleteKey' || type === 'DeleteValue') return 'registry_delete';
  }
  return SYSMON_CATEGORIES[eventId];
}

function withCategory(logSource: LogSource, category: string | undefined): LogSource {
  if (category !== undefined) logSource.category = category;
  return logSource;
}

/**
 * SigmaHQ's categories of events outside Sysmon, by service (its Windows logsource taxonomy; the
 * Splunk pipeline in backends/pipelines/splunk.ts converts them back): PowerShell script block
 * and module logging (PowerShell 7's channel too: same service), and the classic PowerShell log's
 * engine, provider and pipeline events.
 */
const POWERSHELL_OPERATIONAL: Record<number, string> = { 4103: 'ps_module', 4104: 'ps_script' };
const SERVICE_CATEGORIES: Record<string, Record<number, string> | undefined> = {
  powershell: POWERSHELL_OPERATIONAL,
  'powershell-classic': { 400: 'ps_classic_start', 600: 'ps_classic_provider_start', 800: 'ps_classic_script' },
};

/**
 * SigmaHQ's service of each event log channel: the channels pySigma's Windows pipeline gives the
 * services SigmaHQ's rules name (`windows_logsource_mapping`), read backwards, and the two its
 * rules name beyond it (`iis-configuration`, `smbserver-connectivity`); `ldap` as SigmaHQ's one
 * rule names the LDAP client's debug channel (pySigma: `ldap_debug`). Looked up without case
 * (an export may lower a channel's case); other channels get no service.
 */
const CHANNEL_SERVICES: Record<string, string> = {
  Security: 'security',
  [SYSMON_CHANNEL]: 'sysmon',
  System: 'system',
  Application: 'application',
  'Windows PowerShell': 'powershell-classic',
  'Microsoft-Windows-PowerShell/Operational': 'powershell',
  'PowerShellCore/Operational': 'powershell',
  'Microsoft-Windows-TaskScheduler/Operational': 'taskscheduler',
  'Microsoft-Windows-WMI-Activity/Operational': 'wmi',
  'DNS Server': 'dns-server',
  'Microsoft-Windows-DNS-Server/Audit': 'dns-server-audit',
  'Microsoft-Windows-DNS-Server/Analytical': 'dns-server-analytic',
  'Microsoft-Windows-DriverFrameworks-UserMode/Operational': 'driver-framework',
  'Microsoft-Windows-NTLM/Operational': 'ntlm',
  'Microsoft-Windows-DHCP-Server/Operational': 'dhcp',
  'MSExchange Management': 'msexchange-management',
  'Microsoft-Windows-AppLocker/MSI and Script': 'applocker',
  'Microsoft-Windows-AppLocker/EXE and DLL': 'applocker',
  'Microsoft-Windows-AppLocker/Packaged app-Deployment': 'applocker',
  'Microsoft-Windows-AppLocker/Packaged app-Execution': 'applocker',
  'Microsoft-Windows-PrintService/Admin': 'printservice-admin',
  'Microsoft-Windows-PrintService/Operational': 'printservice-operational',
  'Microsoft-Windows-CodeIntegrity/Operational': 'codeintegrity-operational',
  'Microsoft-Windows-SmbClient/Security': 'smbclient-security',
  'Microsoft-Windows-SmbClient/Connectivity': 'smbclient-connectivity',
  'Microsoft-Windows-SMBServer/Connectivity': 'smbserver-connectivity',
  'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall': 'firewall-as',
  'Microsoft-Windows-Bits-Client/Operational': 'bits-client',
  'Microsoft-Windows-Windows Defender/Operational': 'windefend',
  'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational': 'terminalservices-localsessionmanager',
  'Microsoft-ServiceBus-Client': 'microsoft-servicebus-client',
  'Microsoft-Windows-LDAP-Client/Debug': 'ldap',
  'Microsoft-Windows-Security-Mitigations/Kernel Mode': 'security-mitigations',
  'Microsoft-Windows-Security-Mitigations/User Mode': 'security-mitigations',
  'Microsoft-Windows-Diagnosis-Scripted/Operational': 'diagnosis-scripted',
  'Microsoft-Windows-Shell-Core/Operational': 'shell-core',
  'OpenSSH/Operational': 'openssh',
  'Microsoft-Windows-BitLocker/BitLocker Management': 'bitlocker',
  'Microsoft-Windows-VHDMP/Operational': 'vhdmp',
  'Microsoft-Windows-AppXDeploymentServer/Operational': 'appxdeployment-server',
  'Microsoft-Windows-LSA/Operational': 'lsa-server',
  'Microsoft-Windows-AppxPackaging/Operational': 'appxpackaging-om',
  'Microsoft-Windows-DNS Client Events/Operational': 'dns-client',
  'Microsoft-Windows-AppModel-Runtime/Admin': 'appmodel-runtime',
  'Microsoft-Windows-CAPI2/Operational': 'capi2',
  'Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational': 'certificateservicesclient-lifecycle-system',
  'Microsoft-IIS-Configuration/Operational': 'iis-configuration',
};
const SERVICES_ANY_CASE = new Map(Object.entries(CHANNEL_SERVICES).map(([channel, service]) => [channel.toLowerCase(), service]));
/** Channels as events spell them, looked up once each (no string made per event); bounded. */
const channelServices = new Map<string, string | null>();

/** The SigmaHQ service of a channel, if it has one. */
export function channelService(channel: string): string | undefined {
  let service = channelServices.get(channel);
  if (service === undefined) {
    service = SERVICES_ANY_CASE.get(channel.toLowerCase()) ?? null;
    if (channelServices.size < 1024) channelServices.set(channel, service);
  }
  return service ?? undefined;
}

/** Every SigmaHQ service some channel has. */
export const CHANNEL_SERVICE_NAMES: ReadonlySet<string> = new Set(Object.values(CHANNEL_SERVICES));

/**
 * Security 4688 carries the process under other names than Sysmon 1. Add the Sigma names
 * (without removing the originals, except `ProcessId`, which in 4688 is the PARENT's id and is
 * re-pointed to the new process as Sigma's windows pipeline does; the parent's id stays
 * available as `ParentProcessId`). A name the record lacks stays absent (older 4688 has no
 * ParentProcessName: ParentImage must then be absent, not '').
 */
export function addSecurity4688Fields(fields: Fields): void {
  copyIfPresent(fields, 'NewProcessName', 'Image');
  copyIfPresent(fields, 'ParentProcessName', 'ParentImage');
  if (fields.ProcessId !== undefined && fields.ParentProcessId === undefined) fields.ParentProcessId = fields.ProcessId;
  if (fields.NewProcessId !== undefined) fields.ProcessId = fields.NewProcessId;
  const user = fields.SubjectUserName;
  if (typeof user === 'string' && user !== '' && fields.User === undefined) {
    const domain = fields.SubjectDomainName;
    fields.User = typeof domain === 'string' && domain !== '' ? `${domain}\\${user}` : user;
  }
}

function copyIfPresent(fields: Fields, from: string, to: string): void {
  const value = fields[from];
  if (value !== undefined && value !== null && fields[to] === undefined) fields[to] = value;
}

/** EventID as a number, from a number or a numeric string. */
export function toEventId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Build the normalized event for a Windows-style record whose fields are already flat.
 * `fields` is used as-is (not copied) and may gain Sigma names.
 */
export function windowsEvent(
  fields: Fields,
  id: WindowsEventId,
  host: string | undefined,
  time: number | undefined,
  source: Provenance,
): NormalizedEvent {
  const logSource = windowsLogSource(id, fields);
  if (logSource.service === 'security' && id.eventId === 4688) addSecurity4688Fields(fields);
  const event: NormalizedEvent = { fields, source, ...logSource };
  if (time !== undefined) event.time = time;
  if (host !== undefined && host !== '') event.host = host;
  const user = fields.User;
  if (typeof user === 'string' && user !== '' && user !== '-') event.user = user;
  return event;
}
