import type { Alert } from '../alerts/alert.js';
import type { OutputSpec } from './formats.js';
import type { AlertFormatter } from './formatter.js';
import type { OutputTarget } from './targets.js';

/**
 * Several outputs from one scan (`--output`, repeatable). Whoever formats an alert (a worker
 * thread or the main thread) formats it for every output at once, into one text that frames
 * each output's part with its length: `LEN:TEXT` per output, in the order of the outputs. The
 * main thread, which receives alerts in final order (as bytes from workers), splits them back
 * (`splitParts`) and hands each part to its output. So every output sees exactly the text a
 * single thread would make, and a scan without --output never pays for this.
 */
export function multiplexFormatter(parts: readonly AlertFormatter[]): AlertFormatter {
  return {
    header: '',
    format(alert: Alert) {
      let text = '';
      for (const part of parts) {
        const one = part.format(alert);
        text += `${one.length}:${one}`;
      }
      return text;
    },
  };
}

/**
 * Splits framed text (the parts of whole alerts, back to back) and gives each part to
 * `take(output index, text)`. Lengths count UTF-16 units, which a UTF-8 round trip keeps
 * (a lone surrogate becomes U+FFFD, one unit for one).
 */
export function splitParts(framed: string, outputs: number, take: (output: number, text: string) => void): void {
  let at = 0;
  let output = 0;
  while (at < framed.length) {
    const colon = framed.indexOf(':', at);
    const length = Number(framed.slice(at, colon));
    if (colon < 0 || !Number.isInteger(length)) throw new Error(`framed alert text is corrupt at ${at}`);
    take(output, framed.slice(colon + 1, colon + 1 + length));
    at = colon + 1 + length;
    output = (output + 1) % outputs;
  }
}

/** The formatter spec of one output: stdout's options (width) apply to stdout only. */
function targetSpec(target: OutputTarget, stdout: Omit<OutputSpec, 'format'>): OutputSpec {
  const kind = target.destination.kind;
  if (kind === 'stdout') return { ...stdout, format: target.format };
  return kind === 'syslog' ? { format: target.format, syslog: true } : { format: target.format };
}

/** The spec workers format with when there are outputs: every output's part of each alert. */
export function multiplexSpec(targets: readonly OutputTarget[], stdout: Omit<OutputSpec, 'format'>): OutputSpec {
  return { format: 'multiplex', parts: targets.map((t) => targetSpec(t, stdout)) };
}
