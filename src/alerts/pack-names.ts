/**
 * Built-in packs found by name under the repository's `rules/` folder. Apart from the loader
 * (pack.ts) so that checking `--rules` before a command starts (`run`: the command waits for it)
 * does not load the Sigma engine.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACK_MANIFEST } from '../sigma/pack-manifest.js';

/** The repository's `rules/` folder (two levels above dist/alerts or src/alerts). */
export const BUILTIN_RULES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules');

/** Finds a built-in pack by name: a folder named NAME with a pack.yml anywhere under rules/. */
export function findBuiltinPack(name: string, dir = BUILTIN_RULES_DIR): string | undefined {
  const direct = join(dir, name);
  if (existsSync(join(direct, PACK_MANIFEST))) return direct;
  for (const entry of safeReaddir(dir)) {
    const sub = join(dir, entry);
    if (statSync(sub).isDirectory()) {
      const found = findBuiltinPack(name, sub);
      if (found) return found;
    }
  }
  return undefined;
}

/** The built-in packs' names (folders with a pack.yml under rules/), for help and messages. */
export function builtinPackNames(dir = BUILTIN_RULES_DIR): string[] {
  const names: string[] = [];
  for (const entry of safeReaddir(dir)) {
    const sub = join(dir, entry);
    if (!statSync(sub).isDirectory()) continue;
    if (existsSync(join(sub, PACK_MANIFEST))) names.push(entry);
    else names.push(...builtinPackNames(sub));
  }
  return names;
}

/** The `--rules` arguments that name neither a file or folder nor a built-in pack. */
export function unknownRuleSpecs(specs: readonly string[]): string[] {
  return specs.filter((spec) => !existsSync(spec) && !findBuiltinPack(spec));
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
