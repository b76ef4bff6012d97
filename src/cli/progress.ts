import cliProgress from 'cli-progress';
import { terminalSafe } from '../outputs/escape.js';

/** A live line on stderr for long scans; only on a TTY, so logs and pipes stay clean. */
export class Progress {
  private bar?: cliProgress.SingleBar;
  private readonly started = performance.now();

  constructor(enabled: boolean) {
    if (!enabled) return;
    this.bar = new cliProgress.SingleBar(
      { format: '{input} | {events} events | {rate} ev/s | {alerts} alerts', stream: process.stderr, fps: 5, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(0, 0, { input: '', events: 0, rate: 0, alerts: 0 });
  }

  update(input: string, events: number, alerts: number): void {
    if (!this.bar) return;
    const seconds = (performance.now() - this.started) / 1000;
    // File names in collected evidence are untrusted too.
    const safe = terminalSafe(input);
    const shown = safe.length > 40 ? '…' + safe.slice(-39) : safe;
    this.bar.update(0, { input: shown, events, rate: seconds > 0 ? Math.round(events / seconds) : 0, alerts });
  }

  stop(): void {
    this.bar?.stop();
  }
}
