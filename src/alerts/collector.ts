import type { FormattedAlert } from './formatted.js';

/**
 * Applies ORDER BY and LIMIT to alerts. Unordered alerts stream straight through; ordered ones
 * (only ever with a limit, see cli/scan.ts) are held and trimmed to the newest `limit` as they
 * come, so memory stays bounded by twice the limit whatever the input size.
 */
export class AlertCollector {
  private held: FormattedAlert[] = [];
  private emitted = 0;

  constructor(
    private readonly emit: (alert: FormattedAlert) => void,
    private readonly order: 'time-desc' | undefined,
    private readonly limit: number | undefined,
    /** Writes alerts given encoded (addEncoded), `count` of them. */
    private readonly emitEncoded?: (bytes: Uint8Array, count: number) => void,
  ) {}

  add(alert: FormattedAlert): void {
    if (!this.order) {
      if (this.limit === undefined || this.emitted < this.limit) {
        this.emitted += 1;
        this.emit(alert);
      }
      return;
    }
    this.held.push(alert);
    if (this.limit !== undefined && this.held.length >= 2 * Math.max(this.limit, 512)) this.trim();
  }

  /**
   * Alerts `from` to `to` (exclusive) of a block of unordered alerts already encoded back to
   * back, alert i ending at `ends[i]` (a worker's, see parallel/alert-block.ts): emitted as one
   * piece, as far as the limit allows. Ordered scans never send encoded alerts.
   */
  addEncoded(bytes: Uint8Array, ends: Uint32Array, from: number, to: number): void {
    if (this.limit !== undefined) to = Math.min(to, from + this.limit - this.emitted);
    if (to <= from) return;
    this.emitted += to - from;
    this.emitEncoded!(bytes.subarray(from === 0 ? 0 : ends[from - 1], ends[to - 1]), to - from);
  }

  finish(): void {
    if (!this.order) return;
    this.trim();
    for (const alert of this.held) this.emit(alert);
    this.held = [];
  }

  private trim(): void {
    this.held.sort(newestFirst);
    if (this.limit !== undefined && this.held.length > this.limit) this.held.length = this.limit;
  }
}

/** ORDER BY time DESC; events without a time sort last (as NULLs do in QRadar); ties keep input order. */
function newestFirst(a: FormattedAlert, b: FormattedAlert): number {
  const ta = a.time ?? -Infinity;
  const tb = b.time ?? -Infinity;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return a.seq - b.seq;
}
