/**
 * `supplywatch eval CORPUS_DIR`: runs rule packs over a labelled corpus (telemetry files plus
 * labels.yaml) and prints per file the verdict and alerts, then the score per pack and per rule.
 * A `supplywatch.yaml` in the corpus folder is the corpus's tuning unless --config names another
 * (or `--config none` runs untuned).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadPacks } from '../alerts/pack.js';
import { loadConfig } from '../config/load.js';
import { Tuning } from '../config/tuning.js';
import { parseTimestamp } from '../alerts/window.js';
import { loadLabels } from '../eval/labels.js';
import { renderReport, score } from '../eval/report.js';
import { evaluate } from '../eval/run.js';
import { terminalSafe } from '../outputs/escape.js';
import { formatProblem } from './summary.js';
import { UsageError } from './usage-error.js';

export interface EvalCliOptions {
  rules: string[];
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
  const now = options.now === undefined ? Date.now() : parseTimestamp(options.now);
  if (now === undefined) throw new UsageError(`--now: '${options.now}' is not a timestamp`);

  // Both throw ConfigError (a usage error listing every problem at file:line:column).
  const labels = loadLabels(labelsFile);
  const configFile = options.config ?? (existsSync(join(dir, 'supplywatch.yaml')) ? join(dir, 'supplywatch.yaml') : undefined);
  const tuning = configFile !== undefined && configFile !== 'none' ? new Tuning(loadConfig(configFile), now) : undefined;
  const loaded = await loadPacks(options.rules.length > 0 ? options.rules : DEFAULT_EVAL_PACKS);
  for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
  if (loaded.packs.length === 0) throw new UsageError('no rule pack could be loaded');
  if (tuning) {
    process.stderr.write(`tuning: ${terminalSafe(tuning.config.file)}\n`);
    for (const s of tuning.expired) process.stderr.write(`tuning: suppression at ${terminalSafe(tuning.config.file)}:${s.line} expired on ${s.expiresText}; ignored\n`);
  }

  const result = await evaluate(dir, labels, loaded.packs, { tuning });
  for (const file of result.files) {
    for (const bad of file.bad) process.stderr.write(`bad record: ${terminalSafe(`${bad.file}:${bad.line ?? bad.record ?? '?'}: ${bad.reason}`)}\n`);
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ ...result, scores: score(result), tuned: tuning ? Object.fromEntries(tuning.dropped) : undefined }, null, 2)}\n`);
  } else {
    process.stdout.write(renderReport(result, labels));
    if (tuning && tuning.dropped.size > 0) {
      process.stdout.write(`\nalerts tuned out by ${terminalSafe(tuning.config.file)}: ${[...tuning.dropped].map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
    }
  }
  return 0;
}
