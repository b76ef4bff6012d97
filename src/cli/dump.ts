import { once } from 'node:events';
import { Enricher } from '../enrich/enricher.js';
import { UsageError } from '../errors.js';
import { serializeEvent } from '../events/event.js';
import { BufferedOut } from '../outputs/buffered.js';
import { count } from '../outputs/count.js';
import { safeJson } from '../outputs/escape.js';
import { formatBad, formatUnreadable } from '../outputs/problems.js';
import { outputIdentity, readInputs } from '../sources/open.js';
import { terminalSafe } from '../outputs/escape.js';

/**
 * `supplywatch dump`: the normalized events as JSONL, exactly what the rules see. Exit status 2
 * when an input cannot be read (after the others are dumped), else 0.
 */
export async function dumpCommand(paths: string[], options: { inputFormat?: string; quiet?: boolean }): Promise<number> {
  if (paths.length === 0) throw new UsageError('dump needs at least one path (a file, a folder, or - for stdin)');
  let bad = 0;
  let unreadable = 0;
  let events = 0;
  const output = outputIdentity();
  const reports = {
    onBad: (b: Parameters<typeof formatBad>[0]) => {
      bad += 1;
      process.stderr.write(`bad record: ${formatBad(b)}\n`);
    },
    onUnreadable: (u: Parameters<typeof formatUnreadable>[0]) => {
      unreadable += 1;
      process.stderr.write(`supplywatch: ${formatUnreadable(u)}\n`);
    },
    // `dump DIR > DIR/out.jsonl` would read its own growing output forever.
    onSkip: (s: { file: string; reason: string }) => process.stderr.write(`supplywatch: skipped ${terminalSafe(`${s.file}: ${s.reason}`)}\n`),
    exclude: output ? [output] : [],
  };
  const enricher = new Enricher(); // the context fields are part of what the rules see
  // Each event is encoded into the output block as it comes: a batch's text joined into one
  // string (~200 KB) was allocated in V8's large-object space, which only a full GC frees
  // (docs/performance.md#dump-output).
  const out = new BufferedOut(process.stdout);
  for await (const batch of readInputs(paths, { inputFormat: options.inputFormat, ...reports })) {
    for (const event of batch.events) {
      enricher.enrich(event);
      out.write(safeJson(serializeEvent(event)) + '\n');
    }
    events += batch.events.length;
    // Respect backpressure: dump output can be as large as the input.
    out.flush();
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  }
  if (!options.quiet || events === 0) process.stderr.write(`${count(events, 'event')}, ${count(bad, 'bad record')}${events === 0 ? ': no event was read' : ''}\n`);
  return unreadable > 0 ? 2 : 0;
}
