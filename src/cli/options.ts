/**
 * Option values every command parses the same way: each becomes plain data for a plan, or a
 * UsageError naming the option.
 */
import { builtinPackNames, unknownRuleSpecs } from '../alerts/pack.js';
import { parseTuning } from '../alerts/tuning.js';
import { parseSince, parseTimestamp } from '../alerts/window.js';
import { readConfigSource, type ConfigSource } from '../config/index.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../outputs/escape.js';
import { OUTPUT_FORMATS, type OutputSpec } from '../outputs/formats.js';

/** `--now`: the time NOW() means; the clock when absent. */
export function parseNow(text: string | undefined): number {
  if (text === undefined) return Date.now();
  const now = parseTimestamp(text);
  if (now === undefined) throw new UsageError(`--now: '${text}' is not a timestamp (e.g. 2026-11-27T12:00:00Z)`);
  return now;
}

/** `--since`: the window's exclusive lower bound, or undefined for no window. */
export function parseWindowAfter(since: string | undefined, now: number): number | undefined {
  if (since === undefined) return undefined;
  const window = parseSince(since, now);
  if (typeof window === 'string') throw new UsageError(window);
  return window.after;
}

export function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--limit: '${text}' is not a non-negative integer`);
  return Number(text);
}

export function parseThreads(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--threads: '${text}' is not a positive integer`);
  return Number(text);
}

/** `--config FILE`, read and validated (throws ConfigError, a usage error, listing every problem). */
export function readConfig(file: string | undefined): ConfigSource | undefined {
  return file === undefined ? undefined : readConfigSource(file);
}

/** `--format`: table on a terminal, JSONL otherwise; `--csv-raw`: QRadar's exact CSV bytes. */
export function parseOutput(format: string | undefined, csvRaw = false): OutputSpec {
  const name = format ?? (process.stdout.isTTY ? 'table' : 'jsonl');
  if (!OUTPUT_FORMATS[name]) throw new UsageError(`--format must be one of ${Object.keys(OUTPUT_FORMATS).join(', ')}`);
  if (csvRaw && name !== 'csv') throw new UsageError('--csv-raw goes with --format csv');
  return { format: name, width: process.stdout.columns, ...(csvRaw ? { rawCells: true } : {}) };
}

/** `--rules`: pack names or rule files and folders; the default pack when none is given. Every one must exist. */
export function parseRuleSpecs(specs: readonly string[], defaults: readonly string[] = ['seed']): string[] {
  const chosen = specs.length > 0 ? [...specs] : [...defaults];
  const unknown = unknownRuleSpecs(chosen);
  if (unknown.length > 0) {
    throw new UsageError(`--rules: no rule file, folder or built-in pack named ${unknown.map((u) => `'${u}'`).join(', ')} (built-in packs: ${builtinPackNames().join(', ')})`);
  }
  return chosen;
}

/** Expired suppressions no longer apply; saying so is what gets them revisited. */
export function warnExpired(config: ConfigSource, now: number): void {
  for (const s of parseTuning(config, now).expired) process.stderr.write(`${terminalSafe(`${config.file}:${s.line}: suppression expired on ${s.expiresText}; ignored`)}\n`);
}
