/** A pack's column specs as written in its pack.yml (the loaded Pack keeps only compiled getters). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findBuiltinPack } from '../alerts/pack.js';

export function packColumnSpecs(spec: string): string[] | undefined {
  const dir = existsSync(spec) ? spec : findBuiltinPack(spec);
  if (!dir || !existsSync(join(dir, 'pack.yml'))) return undefined;
  const doc = parse(readFileSync(join(dir, 'pack.yml'), 'utf8')) as { columns?: Record<string, unknown> } | null;
  return doc?.columns ? Object.values(doc.columns).map(String) : undefined;
}
