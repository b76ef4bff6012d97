/**
 * Fields the Enricher writes (enricher.ts): a pipeline enriches only for rules that read one, and
 * keywords never search them (sigma/field-access.ts).
 */
export const ENRICHED_FIELDS: ReadonlySet<string> = new Set([
  'AncestorImages',
  'AncestorCommandLines',
  'InstallPackageManager',
  'InstallPackage',
  'InstallPhase',
  'InstallRole',
  'InstallId',
  'DestinationHostname',
  'DestinationHostnameSource',
  'DestinationIsAllowedRegistry',
]);

/**
 * The enriched fields that no log source carries: a SIEM query on them can never match.
 * DestinationHostname is not one (Sysmon 3 and most network logs have it; the enricher only
 * fills it in from DNS when it is missing).
 */
export const ENRICHMENT_ONLY_FIELDS: ReadonlySet<string> = new Set([...ENRICHED_FIELDS].filter((f) => f !== 'DestinationHostname'));

