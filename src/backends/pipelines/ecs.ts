/**
 * Elastic Common Schema pipeline (data) for ES|QL and EQL: Sigma/Sysmon field → ECS field,
 * after the `ecs_windows` pipeline of pySigma-backend-elasticsearch. Unmapped fields of
 * Windows rules go under `winlog.event_data.` as Winlogbeat ships them.
 */
export const ECS_FIELDS: Readonly<Record<string, string>> = {
  EventID: 'event.code',
  Channel: 'winlog.channel',
  Provider_Name: 'winlog.provider_name',
  ComputerName: 'winlog.computer_name',
  Computer: 'winlog.computer_name',
  Image: 'process.executable',
  CommandLine: 'process.command_line',
  OriginalFileName: 'process.pe.original_file_name',
  ParentImage: 'process.parent.executable',
  ParentCommandLine: 'process.parent.command_line',
  ProcessId: 'process.pid',
  ParentProcessId: 'process.parent.pid',
  CurrentDirectory: 'process.working_directory',
  Description: 'process.pe.description',
  Product: 'process.pe.product',
  Company: 'process.pe.company',
  User: 'user.name',
  TargetFilename: 'file.path',
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  Protocol: 'network.transport',
  QueryName: 'dns.question.name',
  TargetObject: 'registry.path',
  Details: 'registry.data.strings',
  ImageLoaded: 'file.path',
  Hashes: 'process.hash.sha256',
  URL: 'url.original',
};

/** ECS fields of type keyword that Sigma rules compare with numbers (EventID → event.code): numbers are written as strings. */
export const ECS_KEYWORD_NUMBERS: ReadonlySet<string> = new Set(['event.code', 'winlog.event_id']);

/** Category → EQL event category (EQL `<category> where …`); others use `any`. */
export const EQL_CATEGORIES: Readonly<Record<string, string>> = {
  process_creation: 'process',
  network_connection: 'network',
  file_event: 'file',
  image_load: 'library',
  dns_query: 'network',
  registry_set: 'registry',
  registry_add: 'registry',
  registry_event: 'registry',
};

/** Category → ECS event.category / event.action style index pattern for ES|QL `from`. */
export const ESQL_INDEX = 'logs-*';
