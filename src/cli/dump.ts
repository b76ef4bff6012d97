import { once } from 'node:events';
import { Enricher } from '../enrich/enricher.js';
import { serializeEvent } from '../events/event.js';
import { safeJson } from '../outputs/escape.js';
import { readInputs } from '../sources/open.js';
import { formatBad } from '../outputs/problems.js';
import { UsageError } from '../errors.js';
import { count } from '../outputs/count.js';

/** `supplywatch dump`: the normalized events as JSONL, exactly what the rules see. */
export async function dumpCommand(paths: string[], options: { inputFormat?: string; quiet?: boolean }): Promise<number> {
  if (paths.length === 0) throw new UsageError('dump needs at least one path (a file, a folder, or - for stdin)');
  let bad = 0;
  let events = 0;
  const onBad = (b: Parameters<typeof formatBad>[0]) => {
    bad += 1;
    process.stderr.write(`bad record: ${formatBad(b)}\n`);
  };
  const enricher = new Enricher(); // the context fields are part of what the rules see
  for await (const batch of readInputs(paths, { inputFormat: options.inputFormat, onBad })) {
    let text = '';
    for (const event of batch.events) {
      enricher.enrich(event);
      text += safeJson(serializeEvent(event)) + '\n';
    }
    events += batch.events.length;
    // Respect backpressure: dump output can be as large as the input.
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  }
  if (!options.quiet) process.stderr.write(`${count(events, 'event')}, ${count(bad, 'bad record')}\n`);
  return 0;
}
