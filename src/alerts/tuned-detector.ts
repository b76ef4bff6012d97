import type { NormalizedEvent } from '../events/event.js';
import type { Alert } from './alert.js';
import { Detector, type CorrelationMatch } from './detector.js';
import type { Pack } from './pack.js';
import type { Tuning } from './tuning.js';

/** A Detector whose events see the tuned registry allowlist and whose alerts are tuned (`--config`). */
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
