import type { Alert } from '../alerts/alert.js';
import { AlertCollector } from '../alerts/collector.js';
import { Detector } from '../alerts/detector.js';
import { loadPacks } from '../alerts/pack.js';
import { parseSince, parseTimestamp, type TimeWindow } from '../alerts/window.js';
import { DEFAULT_COLUMNS } from '../outputs/default-columns.js';
import { OUTPUT_FORMATS } from '../outputs/formats.js';
import { readInputs } from '../sources/open.js';
import { Progress } from './progress.js';
import { formatProblem, ScanSummary } from './summary.js';
import { UsageError } from './usage-error.js';

export interface ScanOptions {
  rules: string[];
  format?: string;
  inputFormat?: string;
  now?: string;
  since?: string;
  limit?: string;
  quiet?: boolean;
}

/** `supplywatch scan`: read, detect, order/limit, print. Returns the exit status. */
export async function scanCommand(paths: string[], options: ScanOptions): Promise<number> {
  const format = options.format ?? (process.stdout.isTTY ? 'table' : 'jsonl');
  const makeWriter = OUTPUT_FORMATS[format];
  if (!makeWriter) throw new UsageError(`--format must be one of ${Object.keys(OUTPUT_FORMATS).join(', ')}`);
  const window = timeWindow(options);
  const limit = options.limit === undefined ? undefined : parseLimit(options.limit);
  if (paths.length === 0) throw new UsageError('scan needs at least one path (a file, a folder, or - for stdin)');

  const loaded = await loadPacks(options.rules.length > 0 ? options.rules : ['seed']);
  for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
  const rulesLoaded = loaded.packs.reduce((n, p) => n + p.rules.length, 0);
  if (rulesLoaded === 0) throw new UsageError('no rule could be loaded');

  const single = loaded.packs.length === 1 ? loaded.packs[0] : undefined;
  const columns = single?.columns ?? DEFAULT_COLUMNS;
  const order = loaded.packs.some((p) => p.order) ? 'time-desc' : undefined;
  const writer = makeWriter({ out: process.stdout, columns, width: process.stdout.columns });
  const summary = new ScanSummary();
  let emitted = 0;
  const collector = new AlertCollector((alert) => {
    emitted += 1;
    writer.write(alert);
  }, order, limit);
  const detector = new Detector(loaded.packs);
  const progress = new Progress(!options.quiet && process.stderr.isTTY === true);

  let seq = 0;
  const found: Alert[] = [];
  for await (const batch of readInputs(paths, { inputFormat: options.inputFormat, onBad: (b) => summary.countBad(b) })) {
    summary.countEvents(batch.input, batch.format, batch.events.length);
    for (const event of batch.events) {
      seq += 1;
      if (window && !(event.time !== undefined && event.time > window.after)) {
        summary.outsideWindow += 1;
        continue;
      }
      detector.detect(event, seq, found);
    }
    for (const alert of found) {
      summary.countAlert(alert);
      collector.add(alert);
    }
    found.length = 0;
    progress.update(batch.input, summary.events, summary.alerts);
  }
  collector.finish();
  writer.end();
  progress.stop();
  if (!options.quiet) process.stderr.write(summary.render(rulesLoaded, loaded.rejected, emitted));
  return summary.alerts > 0 ? 1 : 0;
}

function timeWindow(options: ScanOptions): TimeWindow | undefined {
  const now = options.now === undefined ? Date.now() : parseTimestamp(options.now);
  if (now === undefined) throw new UsageError(`--now: '${options.now}' is not a timestamp (e.g. 2026-11-27T12:00:00Z)`);
  if (options.since === undefined) return undefined;
  const window = parseSince(options.since, now);
  if (typeof window === 'string') throw new UsageError(window);
  return window;
}

function parseLimit(text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--limit: '${text}' is not a non-negative integer`);
  return Number(text);
}
