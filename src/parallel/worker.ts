import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Alert } from '../alerts/alert.js';
import { Detector } from '../alerts/detector.js';
import { formatAlert } from '../alerts/format-alert.js';
import { loadPacks } from '../alerts/pack.js';
import type { NormalizedEvent } from '../events/event.js';
import { OUTPUT_FORMATS, outputColumns } from '../outputs/formats.js';
import { readInputs } from '../sources/open.js';
import type { BadRecord } from '../sources/reader.js';
import { READERS } from '../sources/registry.js';
import type { DispatchedTask, TaskResult, WorkerMessage, WorkerSetup } from './protocol.js';

/** Reported bad records per task; the rest are only counted (the summary shows 50 anyway). */
const BAD_KEPT = 50;
/** Event positions are task-major, so ordering ties across threads keep input order. */
const SEQ_PER_TASK = 2 ** 32;

const setup = workerData as WorkerSetup;
const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);

const { packs } = await loadPacks(setup.rules);
const detector = new Detector(packs);
const formatter = OUTPUT_FORMATS[setup.format]!({ columns: outputColumns(packs), width: setup.width });

port.on('message', (task: DispatchedTask) => {
  runTask(task).then(
    (result) => send({ type: 'result', result }),
    (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
send({ type: 'ready' });

async function runTask(task: DispatchedTask): Promise<TaskResult> {
  const result: TaskResult = { task, format: task.range?.format ?? 'unknown', events: 0, outsideWindow: 0, bad: [], badCount: 0, alerts: [] };
  const onBad = (b: BadRecord) => {
    result.badCount += 1;
    if (b.line !== undefined) b.line += task.lineBase;
    if (result.bad.length < BAD_KEPT) result.bad.push(b);
  };
  const seqBase = task.id * SEQ_PER_TASK;
  const found: Alert[] = [];
  const scanBatch = (events: NormalizedEvent[]) => {
    for (const event of events) {
      result.events += 1;
      if (setup.windowAfter !== undefined && !(event.time !== undefined && event.time > setup.windowAfter)) {
        result.outsideWindow += 1;
        continue;
      }
      if (task.lineBase && event.source.line !== undefined) event.source.line += task.lineBase;
      detector.detect(event, seqBase + result.events, found);
    }
    for (const alert of found) result.alerts.push(formatAlert(alert, formatter));
    found.length = 0;
  };

  if (task.range) {
    const reader = READERS.find((r) => r.format === task.range!.format)!;
    const bytes = createReadStream(task.input, { start: task.range.start, end: task.range.end - 1, highWaterMark: 1 << 20 });
    for await (const events of reader.read(bytes, { file: task.input, bad: onBad })) scanBatch(events);
  } else {
    for await (const batch of readInputs([task.input], { inputFormat: setup.inputFormat, onBad })) {
      result.format = batch.format;
      scanBatch(batch.events);
    }
  }
  return result;
}
