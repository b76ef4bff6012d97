import { csvWriter } from './csv.js';
import { jsonlWriter } from './jsonl.js';
import { tableWriter } from './table.js';
import type { AlertWriter, WriterOptions } from './writer.js';

export const OUTPUT_FORMATS: Record<string, (options: WriterOptions) => AlertWriter> = {
  table: tableWriter,
  jsonl: jsonlWriter,
  csv: csvWriter,
};
