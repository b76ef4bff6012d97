import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { findBuiltinPack } from '../alerts/pack-names.js';
import { loadRules, RuleCache } from '../sigma/index.js';
import { ruleCacheOption } from './options.js';
import { helpedLoad } from '../parallel/helped-load.js';
import { terminalSafe } from '../outputs/escape.js';
import { formatProblem } from '../outputs/problems.js';
import { UsageError } from '../errors.js';

/** `supplywatch rules lint`: one line per rule, loaded or rejected with file:line:column and why. */
export async function lintCommand(paths: string[], cache = true): Promise<number> {
  if (paths.length === 0) throw new UsageError('rules lint needs at least one rule file or folder');
  // A built-in pack's name stands for its folder, as in --rules.
  const resolved = paths.map((p) => (existsSync(p) ? p : (findBuiltinPack(p) ?? p)));
  const { ruleCache } = ruleCacheOption(cache);
  const { rules, correlations, rejected, warnings } = await helpedLoad(availableParallelism(), (hooks) => loadRules(resolved, hooks, ruleCache === undefined ? undefined : new RuleCache(ruleCache)));
  for (const rule of [...rules, ...correlations]) {
    process.stdout.write(terminalSafe(`ok       ${rule.file}:${rule.line}: ${rule.title}${rule.id ? ` (${rule.id})` : ''}`) + '\n');
  }
  for (const w of warnings) process.stdout.write(`warning  ${formatProblem(w)}\n`);
  for (const r of rejected) process.stdout.write(`rejected ${formatProblem(r)}\n`);
  process.stderr.write(`${rules.length + correlations.length} loaded, ${rejected.length} rejected, ${warnings.length} warnings\n`);
  return rejected.length > 0 ? 1 : 0;
}
