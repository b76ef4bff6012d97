/**
 * `--config supplywatch.yaml` (docs/config.md): loading, and a Detector that applies it.
 */
import type { Alert } from '../alerts/alert.js';
import { Detector, type CorrelationMatch } from '../alerts/detector.js';
import type { Pack } from '../alerts/pack.js';
import { parseTimestamp } from '../alerts/window.js';
import type { NormalizedEvent } from '../events/event.js';
import { terminalSafe } from '../outputs/escape.js';
import { ConfigError, loadConfig } from './load.js';
import { Tuning } from './tuning.js';

export { ConfigError, loadConfig, parseConfig } from './load.js';
export { Tuning } from './tuning.js';

/**
 * The tuning of `--config FILE`, or undefined without one. Suppression expiry is checked
 * against `now` (`--now` when given, else the clock). Throws ConfigError (a usage error).
 */
export function loadTuning(file: string | undefined, now?: string, warn = (line: string) => process.stderr.write(`${line}\n`)): Tuning | undefined {
  if (file === undefined) return undefined;
  const at = now === undefined ? Date.now() : parseTimestamp(now);
  if (at === undefined) throw new ConfigError([{ file, line: 0, column: 0, reason: `--now '${now}' is not a timestamp` }]);
  const tuning = new Tuning(loadConfig(file), at);
  // Expired suppressions no longer apply; saying so is what gets them revisited.
  for (const s of tuning.expired) warn(terminalSafe(`${file}:${s.line}: suppression expired on ${s.expiresText}; ignored`));
  return tuning;
}

/** A Detector whose events see the tuned registry allowlist and whose alerts are tuned. */
export class TunedDetector extends Detector {
  constructor(packs: Pack[], readonly tuning: Tuning) {
    super(packs);
  }

  override detect(event: NormalizedEvent, seq: number, out: Alert[], matches?: CorrelationMatch[]): void {
    this.tuning.markAllowedDestination(event);
    const from = out.length;
    super.detect(event, seq, out, matches);
    this.tuning.applyFrom(out, from);
  }

  override finish(out: Alert[]): void {
    const from = out.length;
    super.finish(out);
    this.tuning.applyFrom(out, from);
  }
}
