/**
 * Option values every command parses the same way: each becomes plain data for a plan, or a
 * UsageError naming the option.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { builtinPackNames, unknownRuleSpecs } from '../alerts/pack-names.js';
import { parseSince, parseTimestamp } from '../alerts/window.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../outputs/escape.js';
import { isOutputFormat, OUTPUT_FORMAT_NAMES } from '../outputs/format-names.js';
import type { OutputSpec } from '../outputs/formats.js';
import { multiplexSpec } from '../outputs/multiplex.js';
import { parseOutputTarget, type OutputTarget } from '../outputs/targets.js';

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

/** An option that takes a positive integer (`--threads`, `--partitions`, …), or undefined when not given. */
export function parsePositive(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`${option}: '${terminalSafe(text)}' is not a positive integer`);
  return Number(text);
}

/**
 * The rule cache's folder: $XDG_CACHE_HOME/supplywatch, or ~/.cache/supplywatch when that is
 * unset or not absolute (as the XDG base directory specification says); none with `--no-cache`.
 */
export function ruleCacheOption(cache: boolean | undefined): { ruleCache?: string } {
  if (cache === false) return {};
  const xdg = process.env.XDG_CACHE_HOME;
  return { ruleCache: join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'supplywatch') };
}

/** `--format`: table on a terminal, JSONL otherwise; `--csv-raw`: QRadar's exact CSV bytes. */
export function parseOutput(format: string | undefined, csvRaw = false): OutputSpec {
  const name = format ?? (process.stdout.isTTY ? 'table' : 'jsonl');
  if (!isOutputFormat(name)) throw new UsageError(`--format must be one of ${OUTPUT_FORMAT_NAMES.join(', ')}`);
  if (csvRaw && name !== 'csv') throw new UsageError('--csv-raw goes with --format csv');
  return { format: name, width: process.stdout.columns, ...(csvRaw ? { rawCells: true } : {}) };
}

/** Formats that are whole documents (a header, alerts, totals at the end): on stdout they go through the outputs too. */
const DOCUMENT_FORMATS = new Set(['sarif', 'github', 'summary', 'html']);

/**
 * `--output FORMAT:DESTINATION` (repeatable) beside `--format`, the stdout shorthand: with
 * outputs, stdout gets alerts only when --format is given or an output's destination is `-`.
 */
export function parseOutputs(format: string | undefined, csvRaw: boolean, specs: readonly string[]): { output: OutputSpec; outputs?: OutputTarget[] } {
  const targets = specs.map((spec) => parseOutputTarget(spec, OUTPUT_FORMAT_NAMES));
  const stdout = parseOutput(format, csvRaw);
  const stdoutWanted = format !== undefined || targets.length === 0;
  if (stdoutWanted && (targets.length > 0 || DOCUMENT_FORMATS.has(stdout.format))) targets.unshift({ format: stdout.format, destination: { kind: 'stdout' }, spec: `${stdout.format}:-` });
  if (targets.length === 0) return { output: stdout };
  const seen = new Set<string>();
  for (const t of targets) {
    const d = t.destination;
    const where = d.kind === 'stdout' ? 'stdout' : d.kind === 'file' ? `file ${d.path}` : undefined;
    if (where === undefined) continue;
    if (seen.has(where)) throw new UsageError(`--output: two outputs write to ${terminalSafe(where)}`);
    seen.add(where);
  }
  const { format: _format, ...stdoutOptions } = stdout;
  return { output: multiplexSpec(targets, stdoutOptions), outputs: targets };
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
