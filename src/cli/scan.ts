import { UsageError } from '../errors.js';
import type { ScanPlan } from '../scan/plan.js';
import { runScan } from '../scan/run-scan.js';
import { parseLimit, parseNow, parseOutputs, parseRuleSpecs, ruleCacheOption, parsePositive, parseWindowAfter } from './options.js';
import { readConfig } from './config-option.js';
import { Progress } from './progress.js';

export interface ScanOptions {
  rules?: string[];
  format?: string;
  /** `--output FORMAT:DESTINATION`, repeatable. */
  output?: string[];
  inputFormat?: string;
  now?: string;
  since?: string;
  limit?: string;
  quiet?: boolean;
  threads?: string;
  /** supplywatch.yaml: mirrors, allowed hosts, bots, build chain, suppressions, levels (docs/config.md). */
  config?: string;
  strict?: boolean;
  /** CSV cells exactly as QRadar writes them (no formula neutralising): the seed reproduction. */
  csvRaw?: boolean;
  /** False with `--no-cache`: every rule file parsed, the cache neither read nor written. */
  cache?: boolean;
}

/** `supplywatch scan`: the command line becomes a plan, which runs. Returns the exit status. */
export async function scanCommand(paths: string[], options: ScanOptions): Promise<number> {
  const plan = scanPlan(paths, options);
  return runScan(plan, new Progress(!plan.quiet && process.stderr.isTTY === true));
}

/** Parses and validates every option once; throws UsageError (or ConfigError) naming what is wrong. */
export function scanPlan(paths: string[], options: ScanOptions): ScanPlan {
  const { output, outputs } = parseOutputs(options.format, options.csvRaw === true, options.output ?? []);
  const now = parseNow(options.now);
  const windowAfter = parseWindowAfter(options.since, now);
  const limit = parseLimit(options.limit);
  const threads = parsePositive(options.threads, '--threads');
  if (paths.length === 0) throw new UsageError('scan needs at least one path (a file, a folder, or - for stdin)');
  const config = readConfig(options.config, now);
  return { inputs: paths, inputFormat: options.inputFormat, rules: parseRuleSpecs(options.rules ?? []), ...ruleCacheOption(options.cache), pipeline: { config, now, windowAfter }, limit, output, ...(outputs ? { outputs } : {}), threads, quiet: options.quiet === true, strict: options.strict === true };
}
