import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { Alert } from '../alerts/alert.js';
import { Detector } from '../alerts/detector.js';
import { loadPacks } from '../alerts/pack.js';
import type { NormalizedEvent } from '../events/event.js';
import { readInputs } from '../sources/open.js';
import type { BadRecord } from '../sources/reader.js';
import { READERS } from '../sources/registry.js';
import type { ScanTask } from './plan.js';
import type { TaskResult, WireAlert, WorkerMessage, WorkerSetup } from './protocol.js';

/** Reported bad records per task; the rest are only counted (the summary shows 50 anyway). */
const BAD_KEPT = 50;

const setup = workerData as WorkerSetup;
const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);

const { packs } = await loadPacks(setup.rules);
const detector = new Detector(packs);
const position = new Map(packs.map((pack, i) => [pack, { index: i, rules: new Map(pack.rules.map((rule, j) => [rule, j])) }]));

port.on('message', (task: ScanTask) => {
  runTask(task).then(
    (result) => send({ type: 'result', result }),
    (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
send({ type: 'ready' });

async function runTask(task: ScanTask): Promise<TaskResult> {
  const result: TaskResult = { task, format: task.range?.format ?? 'unknown', events: 0, outsideWindow: 0, lines: 0, bad: [], badCount: 0, alerts: [] };
  const onBad = (b: BadRecord) => {
    result.badCount += 1;
    if (result.bad.length < BAD_KEPT) result.bad.push(b);
  };
  const found: Alert[] = [];
  const scanBatch = (events: NormalizedEvent[]) => {
    for (const event of events) {
      result.events += 1;
      if (setup.windowAfter !== undefined && !(event.time !== undefined && event.time > setup.windowAfter)) {
        result.outsideWindow += 1;
        continue;
      }
      detector.detect(event, result.events, found);
    }
    for (const alert of found) result.alerts.push(toWire(alert));
    found.length = 0;
  };

  if (task.range) {
    const reader = READERS.find((r) => r.format === task.range!.format)!;
    const bytes = createReadStream(task.input, { start: task.range.start, end: task.range.end - 1, highWaterMark: 1 << 20 });
    const counted = Readable.from(countLines(bytes, (n) => (result.lines += n)), { objectMode: false });
    for await (const events of reader.read(counted, { file: task.input, bad: onBad })) scanBatch(events);
  } else {
    for await (const batch of readInputs([task.input], { inputFormat: setup.inputFormat, onBad })) {
      result.format = batch.format;
      scanBatch(batch.events);
    }
  }
  return result;
}

function toWire(alert: Alert): WireAlert {
  const where = position.get(alert.pack)!;
  return { pack: where.index, rule: where.rules.get(alert.rule)!, label: alert.label, seq: alert.seq, event: alert.event };
}

/** Passes chunks through, counting newlines: the next range's line numbers start after them. */
async function* countLines(chunks: AsyncIterable<Buffer>, add: (n: number) => void): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    let n = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) n += 1;
    add(n);
    yield chunk;
  }
}
