/**
 * The conversion targets, by name (`supplywatch convert --to NAME`). Each refuses rules that need
 * supplywatch's enrichment fields unless ConvertOptions.allowEnrichmentFields (enrichment-guard.ts).
 */
import { aqlBackend } from './aql.js';
import { guardEnrichment } from './enrichment-guard.js';
import { eqlBackend } from './eql.js';
import { esqlBackend } from './esql.js';
import { kqlBackend } from './kql.js';
import { splBackend } from './spl.js';
import { sqlBackend } from './sql.js';
import type { Backend } from './target.js';

export const BACKENDS: ReadonlyMap<string, Backend> = new Map(
  [aqlBackend, splBackend, kqlBackend, esqlBackend, eqlBackend, sqlBackend].map((b) => [b.name, guardEnrichment(b)]),
);

export { ConversionError } from './ir.js';
export type { Backend, ConvertOptions } from './target.js';
