/** A pack's column specs as written in its pack.yml (the loaded Pack keeps only compiled getters). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findBuiltinPack } from '../alerts/pack.js';

/** Pack name → column specs, for the packs among `specs` (pack names or folders) that declare columns. */
export function packColumnSpecs(specs: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const spec of specs) {
    const dir = existsSync(spec) ? spec : findBuiltinPack(spec);
    if (!dir || !existsSync(join(dir, 'pack.yml'))) continue;
    try {
      const doc = parse(readFileSync(join(dir, 'pack.yml'), 'utf8')) as { name?: unknown; columns?: Record<string, unknown> } | null;
      if (typeof doc?.name === 'string' && doc.columns) out.set(doc.name, Object.values(doc.columns).map(String));
    } catch {
      // A broken pack.yml is reported by loadPacks with its position; here it just has no columns.
    }
  }
  return out;
}
