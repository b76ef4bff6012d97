/**
 * `supplywatch eval CORPUS_DIR`: runs rule packs over a labelled corpus (telemetry files plus
 * labels.yaml) and prints per file the verdict and alerts, then the score per pack and per rule.
 * A `supplywatch.yaml` in the corpus folder is the corpus's tuning unless --config names another
 * (or `--config none` runs untuned).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadPacks } from '../alerts/pack.js';
import { loadLabels } from '../eval/labels.js';
import { renderReport, score } from '../eval/report.js';
import { evaluate } from '../eval/run.js';
import { terminalSafe } from '../outputs/escape.js';
import { formatProblem } from '../outputs/problems.js';
import { UsageError } from '../errors.js';
import { readConfig } from './config-option.js';
import { parseNow, parseRuleSpecs } from './options.js';

export interface EvalCliOptions {
  rules?: string[];
  config?: string;
  now?: string;
  format?: string;
}

export const DEFAULT_EVAL_PACKS = ['seed', 'hardened'];

/** Exit status 0 when the run completed (the scores are the output), 2 on usage errors. */
export async function evalCommand(dir: string, options: EvalCliOptions): Promise<number> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`eval needs a corpus folder; '${dir}' is not one`);
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
  const labelsFile = join(dir, 'labels.yaml');
  if (!existsSync(labelsFile)) throw new UsageError(`${labelsFile} is missing: it maps each telemetry file to malicious or benign`);
  const now = parseNow(options.now);
  const rules = parseRuleSpecs(options.rules ?? [], DEFAULT_EVAL_PACKS);

  // Both throw ConfigError (a usage error listing every problem at file:line:column).
  const labels = loadLabels(labelsFile);
  const configFile = options.config ?? (existsSync(join(dir, 'supplywatch.yaml')) ? join(dir, 'supplywatch.yaml') : undefined);
  const config = configFile === 'none' ? undefined : readConfig(configFile, now);
  const loaded = await loadPacks(rules);
  for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
  if (loaded.packs.length === 0) throw new UsageError('no rule pack could be loaded');
  if (config) {
    process.stderr.write(`tuning: ${terminalSafe(config.file)}\n`);
  }

  const result = await evaluate(dir, labels, loaded.packs, { config, now });
  const tuned = Object.entries(result.tuned);
  for (const file of result.files) {
    for (const bad of file.bad) process.stderr.write(`bad record: ${terminalSafe(`${bad.file}:${bad.line ?? bad.record ?? '?'}: ${bad.reason}`)}\n`);
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ ...result, scores: score(result), tuned: config ? result.tuned : undefined }, null, 2)}\n`);
  } else {
    process.stdout.write(renderReport(result, labels));
    if (config && tuned.length > 0) {
      process.stdout.write(`\nalerts tuned out by ${terminalSafe(config.file)}: ${tuned.map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    }
  }
  return 0;
}
