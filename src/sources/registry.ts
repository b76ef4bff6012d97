/** Every input format selectable with `--input-format` and content sniffing, in tie-break order. */
import { evtxJsonReader } from './evtx-json.js';
import { otrfReader } from './otrf.js';
import { qradarCsvReader } from './qradar-csv.js';
import { qradarJsonReader } from './qradar-json.js';
import type { SourceReader } from './reader.js';
import { sigmaNdjsonReader } from './sigma-ndjson.js';
import { winlogbeatReader } from './winlogbeat.js';

export const READERS: readonly SourceReader[] = [
  qradarJsonReader,
  qradarCsvReader,
  evtxJsonReader,
  winlogbeatReader,
  otrfReader,
  sigmaNdjsonReader,
];
