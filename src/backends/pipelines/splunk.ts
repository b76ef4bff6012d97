/**
 * Splunk pipelines (data). `splunk-sysmon`: the Sysmon add-on keeps Sysmon field names, so
 * fields pass through and the logsource becomes source + EventCode. `splunk-cim`: the CIM
 * Endpoint.Processes data model (tstats), field → data-model field.
 */
export const SYSMON_SOURCE = 'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"';

/** Categories that are not Sysmon events: their channel and EventCode. */
export const OTHER_CATEGORY_EVENTS: Readonly<Record<string, { channel: string; codes: readonly number[] }>> = {
  ps_script: { channel: 'Microsoft-Windows-PowerShell/Operational', codes: [4104] },
  ps_module: { channel: 'Microsoft-Windows-PowerShell/Operational', codes: [4103] },
  ps_classic_start: { channel: 'Windows PowerShell', codes: [400] },
  ps_classic_provider_start: { channel: 'Windows PowerShell', codes: [600] },
};

export const SYSMON_EVENT_CODES: Readonly<Record<string, readonly number[]>> = {
  process_creation: [1],
  network_connection: [3],
  image_load: [7],
  create_remote_thread: [8],
  raw_access_thread: [9],
  process_access: [10],
  file_event: [11],
  registry_add: [12],
  registry_delete: [12],
  registry_set: [13],
  registry_rename: [14],
  registry_event: [12, 13, 14],
  file_delete: [23],
  dns_query: [22],
  pipe_created: [17, 18],
};

export const CIM_PROCESSES: Readonly<Record<string, string>> = {
  Image: 'Processes.process_path',
  CommandLine: 'Processes.process',
  OriginalFileName: 'Processes.original_file_name',
  ParentImage: 'Processes.parent_process_path',
  ParentCommandLine: 'Processes.parent_process',
  ProcessId: 'Processes.process_id',
  ParentProcessId: 'Processes.parent_process_id',
  User: 'Processes.user',
  CurrentDirectory: 'Processes.process_current_directory',
  IntegrityLevel: 'Processes.process_integrity_level',
  Computer: 'Processes.dest',
  Hashes: 'Processes.process_hash',
};
