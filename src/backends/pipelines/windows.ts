/** Windows logsource services and their event log channels (shared by the Splunk and ECS pipelines). */

/** Windows logsource service → the Windows event log channel as Windows names it (Splunk `source`, Winlogbeat `winlog.channel`). */
export const WINDOWS_SERVICE_CHANNELS: Readonly<Record<string, string>> = {
  sysmon: 'Microsoft-Windows-Sysmon/Operational',
  security: 'Security',
  system: 'System',
  application: 'Application',
  windefend: 'Microsoft-Windows-Windows Defender/Operational',
  'codeintegrity-operational': 'Microsoft-Windows-CodeIntegrity/Operational',
  'bits-client': 'Microsoft-Windows-Bits-Client/Operational',
  'dns-client': 'Microsoft-Windows-DNS Client Events/Operational',
  taskscheduler: 'Microsoft-Windows-TaskScheduler/Operational',
  'powershell-classic': 'Windows PowerShell',
  powershell: 'Microsoft-Windows-PowerShell/Operational',
  'firewall-as': 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall',
  wmi: 'Microsoft-Windows-WMI-Activity/Operational',
  applocker: 'Microsoft-Windows-AppLocker/EXE and DLL',
  ntlm: 'Microsoft-Windows-NTLM/Operational',
};

