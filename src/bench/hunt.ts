/**
 * The hunt rows of `npm run bench` (issue 28): what a threat hunter waits for when pointing the
 * tool at a folder of EVTX files with all of SigmaHQ's Windows rules
 * (`../shared/corpus/evtx-attack-samples/`, `../shared/sigmahq/rules/windows/`). Wall time as the
 * user sees it, start-up included; medians of interleaved rounds, each ratio against a
 * configuration measured in the same rounds. `npm run bench -- --group hunt` runs these alone.
 *
 * - all rules over the folder at default threads (target ≤ 0.8 s, ≤ 250 MB; and as a ratio to the
 *   evtxexport loop of the same rounds, to compare runs made in different host states), and at 1
 *   and 2;
 * - reading alone against `evtxexport -f xml` file by file, records per second with every
 *   process start-up counted on both sides (target ≥ 5×): `dump` to /dev/null (which also
 *   enriches and prints every event), and a scan whose only rule matches nothing (the issue's
 *   "scan with an empty pack": an empty pack is refused);
 * - loading the rules with the rule cache cold and warm (target ≤ 0.3 s warm): the load alone in
 *   a fresh process (rule-load.ts), and `rules lint` as a user runs it (output discarded).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliTimed, type CliRun } from './cli-run.js';
import { evtxFiles } from './evtx.js';
import { median } from './median.js';
import { warmPageCache } from './warm.js';

const ROUNDS = 5;

interface Timed {
  seconds: number;
  peakMb: number;
  events: number;
  alerts: number;
}

/** Each configuration ROUNDS times, round-robin: medians of seconds, highest peak, the spread. */
function interleaved(configs: Array<() => Timed>): Array<Timed & { spread: string }> {
  const runs: Timed[][] = configs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) for (const [i, run] of configs.entries()) runs[i]!.push(run());
  return runs.map((list) => {
    const seconds = list.map((r) => r.seconds);
    return { ...list[0]!, seconds: median(seconds), peakMb: Math.max(...list.map((r) => r.peakMb)), spread: `${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)} s` };
  });
}

/** `evtxexport -f xml` once per file, output to /dev/null, process starts included: wall seconds. */
function evtxexportLoop(files: string[]): Timed {
  const started = performance.now();
  const run = spawnSync('bash', ['-c', 'for f in "$@"; do evtxexport -f xml "$f" >/dev/null || exit 1; done', 'evtxexport-loop', ...files], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error('evtxexport failed or absent: install libevtx-utils');
  return { seconds: (performance.now() - started) / 1000, peakMb: NaN, events: NaN, alerts: NaN };
}

/** Records evtxexport finds in the files (counted once, not timed). */
function evtxexportRecords(files: string[]): number {
  let records = 0;
  for (const file of files) {
    const run = spawnSync('bash', ['-c', 'set -o pipefail; evtxexport -f xml "$1" | grep -c "<Event xmlns"', 'evtxexport-count', file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`evtxexport failed on ${file}: ${run.stderr.trim()}`);
    records += Number(run.stdout.trim());
  }
  return records;
}

/** `dump` of the folder to /dev/null: its stderr says how many events. */
function dump(cliPath: string, folder: string, env: Record<string, string>): Timed {
  const started = performance.now();
  const run = spawnSync(process.execPath, [cliPath, 'dump', folder], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: { ...process.env, ...env } });
  const seconds = (performance.now() - started) / 1000;
  const events = Number(/(\d+) events?, \d+ bad/.exec(run.stderr)?.[1] ?? NaN);
  return { seconds, peakMb: NaN, events, alerts: NaN };
}

const RULE_LOAD = join(dirname(fileURLToPath(import.meta.url)), 'rule-load.js');

/** The rules loaded alone, in a fresh process: the load's own seconds (rule-load.ts). */
function ruleLoad(rules: string, cacheDir: string | undefined): Timed {
  const run = spawnSync(process.execPath, [RULE_LOAD, rules, cacheDir ?? '--no-cache'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`rule-load failed: ${run.stderr}`);
  const { seconds, rules: count } = JSON.parse(run.stdout) as { seconds: number; rules: number };
  return { seconds, peakMb: NaN, events: count, alerts: NaN };
}

const fmt = (name: string, seconds: number, note: string) => `${name.padEnd(52)} ${seconds.toFixed(2).padStart(7)} s  ${note}`;

/**
 * The hunt's target, 0.8 s, was set where the evtxexport loop took 1.31 s (issue 28's table): the
 * same target as a ratio to the loop, for runs made in other host states (its speed has drifted
 * by up to half between runs of the same build). Only roughly: the loop's 277 process starts slow
 * down otherwise than a scan (docs/performance.md, "How the project measures").
 */
const ISSUE_LOOP_SECONDS = 1.31;
const HUNT_TARGET_RATIO = 0.8 / ISSUE_LOOP_SECONDS;

export async function huntRows(root: string, cliPath: string): Promise<string[]> {
  const folder = resolve(root, '..', 'shared', 'corpus', 'evtx-attack-samples');
  const rules = resolve(root, '..', 'shared', 'sigmahq', 'rules', 'windows');
  if (!existsSync(folder) || !existsSync(rules)) return [`(hunt rows skipped: ${folder} or ${rules} absent)`];
  const files = evtxFiles(folder);
  const lines = [`hunt: ${files.length} EVTX files of ${folder}, the ${rules} rules; medians of ${ROUNDS} interleaved rounds`];

  // A cache of its own: cold means no cache at all, warm means the one the first run wrote.
  const cacheHome = mkdtempSync(join(tmpdir(), 'sw-bench-cache-'));
  const env = { XDG_CACHE_HOME: cacheHome };
  try {
    await warmPageCache(folder);
    await warmPageCache(rules);
    const lint = (cache: boolean): Timed => runCliTimed(cliPath, ['rules', 'lint', rules, ...(cache ? [] : ['--no-cache'])], env);
    lint(true); // fills the cache
    const scan = (...args: string[]) => (): CliRun => runCliTimed(cliPath, ['scan', folder, '--rules', rules, '--format', 'jsonl', ...args], env);
    scan()(); // keeps the automata it builds: every round below is a repeat run
    // A folder of its own: the unbundled code it runs has another code identity than the
    // bundle's, and would rewrite the bundle's entry at every round (sigma/rule-cache.ts).
    const cacheDir = join(cacheHome, 'rule-load');
    ruleLoad(rules, cacheDir);
    const records = evtxexportRecords(files);
    dump(cliPath, folder, env); // a repeat run, as the scans: its code cache made (runtime/cached-start.ts)
    const nothing = join(cacheHome, 'matches-nothing');
    mkdirSync(nothing);
    writeFileSync(join(nothing, 'never.yml'), 'title: Matches nothing\nlogsource:\n  product: none\ndetection:\n  never:\n    Image: none\n  condition: never\n');
    const readingScan = () => runCliTimed(cliPath, ['scan', folder, '--rules', nothing, '--format', 'jsonl'], env);
    readingScan();
    // The evtxexport loop in the same rounds as the scans: the host's speed drifts by tens of
    // percent between runs, and the loop is the yardstick the hunt's target was set against.
    const [loadCold, loadWarm, cold, warm, start, auto, one, two, reading, readingOnly, reference] = interleaved([
      () => ruleLoad(rules, undefined),
      () => ruleLoad(rules, cacheDir),
      () => lint(false),
      () => lint(true),
      () => runCliTimed(cliPath, ['--version'], env),
      scan(),
      scan('--threads', '1'),
      scan('--threads', '2'),
      () => dump(cliPath, folder, env),
      readingScan,
      () => evtxexportLoop(files),
    ]);
    const loop = reference!.seconds;
    lines.push(fmt(`rule load alone, ${loadCold!.events} rules, no cache`, loadCold!.seconds, `(${loadCold!.spread})`));
    lines.push(fmt('rule load alone, cache warm', loadWarm!.seconds, `target ≤ 0.30 s; ${(loadCold!.seconds / loadWarm!.seconds).toFixed(1)}× faster (${loadWarm!.spread})`));
    lines.push(fmt('rules lint, --no-cache', cold!.seconds, `(${cold!.spread})`));
    lines.push(fmt('rules lint, cache warm', warm!.seconds, `${(cold!.seconds / warm!.seconds).toFixed(1)}× faster; node start-up alone ${start!.seconds.toFixed(2)} s (${warm!.spread})`));
    lines.push(fmt(`scan, default threads (${auto!.alerts} alerts)`, auto!.seconds, `target ≤ 0.80 s, ≤ 250 MB: peak ${auto!.peakMb} MB, ${auto!.events} events (${auto!.spread})`));
    lines.push(`${'  the same, against the evtxexport loop'.padEnd(52)} ${(auto!.seconds / loop).toFixed(2).padStart(7)}×  target ≤ ${HUNT_TARGET_RATIO.toFixed(2)}× (0.80 s where the issue timed the loop at ${ISSUE_LOOP_SECONDS} s; here ${loop.toFixed(2)} s)`);
    lines.push(fmt('scan, --threads 1', one!.seconds, `peak ${one!.peakMb} MB (${one!.spread})`));
    lines.push(fmt('scan, --threads 2', two!.seconds, `${(one!.seconds / two!.seconds).toFixed(2)}× one thread, peak ${two!.peakMb} MB (${two!.spread})`));
    const ours = reading!.events / reading!.seconds;
    const theirs = records / loop;
    lines.push(fmt(`evtxexport -f xml, file by file (${records} records)`, loop, `${Math.round(theirs)} rec/s, process starts included (${reference!.spread})`));
    lines.push(fmt(`dump to /dev/null (${reading!.events} records)`, reading!.seconds, `${Math.round(ours)} rec/s: ${(ours / theirs).toFixed(1)}× evtxexport, target ≥ 5× (${reading!.spread})`));
    const scanned = readingOnly!.events / readingOnly!.seconds;
    lines.push(fmt(`scan, a rule that matches nothing (${readingOnly!.events} records)`, readingOnly!.seconds, `${Math.round(scanned)} rec/s: ${(scanned / theirs).toFixed(1)}× evtxexport, target ≥ 5× (${readingOnly!.spread})`));
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  return lines;
}
