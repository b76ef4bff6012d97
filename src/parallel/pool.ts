import { Worker } from 'node:worker_threads';
import type { ScanTask } from './plan.js';
import type { TaskResult, WorkerMessage, WorkerSetup } from './protocol.js';
import type { LineBases } from './line-bases.js';
import { StateRelay } from './state-relay.js';

const WORKER_FILE = new URL('./worker.js', import.meta.url);
/**
 * A worker's events die young (one 128-event batch at a time, see ndjson.ts), so a young
 * generation below V8's default (48 MB) bounds each worker's heap at a small cost in extra
 * scavenges. Two-thread seed scans of 4M events, interleaved: 32 MB peaked at 291–297 MB RSS
 * with 30–32 s of user CPU; 24 MB at 257–261 MB but with 37–38 s; 48 MB at 297 MB. 12 MB
 * made 1.4 scavenges per 1,000 events where the main thread's default makes 0.4.
 */
const WORKER_YOUNG_GENERATION_MB = 32;

/** A started worker and the promise of its `ready` (its packs compiled). */
export interface PoolWorker {
  worker: Worker;
  ready: Promise<void>;
}

/**
 * Starts `count` workers at once, each compiling the packs of `setup` while the others do and
 * while the main thread plans the line numbers. `close` must be called whatever happens next.
 */
export function startWorkers(count: number, setup: WorkerSetup): { workers: PoolWorker[]; close: () => Promise<void> } {
  const workers = Array.from({ length: count }, () => {
    const worker = new Worker(WORKER_FILE, { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', function first(message: WorkerMessage) {
        worker.off('message', first);
        if (message.type === 'ready') resolve();
        else reject(new Error(message.type === 'error' ? `worker: ${message.message}` : `worker sent '${message.type}' before 'ready'`));
      });
    });
    // Observed by runTasks; a scan that stops before running tasks must not report it as unhandled.
    ready.catch(() => {});
    return { worker, ready };
  });
  return { workers, close: async () => void (await Promise.all(workers.map((w) => w.worker.terminate()))) };
}

/**
 * Runs tasks on the started workers, each pulling the next task when done (so uneven tasks
 * balance), and hands results to `deliver` strictly in task order: the output is the same,
 * byte for byte, whatever the number of threads. Only results that finished early wait, and
 * those hold alerts, never events.
 */
export async function runTasks(
  tasks: ScanTask[],
  workers: PoolWorker[],
  lineBases: LineBases,
  deliver: (result: TaskResult) => void,
): Promise<void> {
  const waiting = new Map<number, TaskResult>();
  let nextTask = 0;
  let nextToDeliver = 0;
  const relay = new StateRelay();
  await new Promise<void>((resolve, reject) => {
    if (tasks.length === 0) return resolve();
    for (const { worker, ready } of workers) {
      relay.register(worker);
      const feed = () => {
        if (nextTask >= tasks.length) return;
        const task = tasks[nextTask++]!;
        const known = lineBases.known(task);
        if (known !== undefined) worker.postMessage({ ...task, lineBase: known });
        else lineBases.baseFor(task).then((lineBase) => worker.postMessage({ ...task, lineBase }), reject);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'error') return reject(new Error(`worker: ${message.message}`));
        if (message.type === 'records') return relay.offer(message.task, message.records, worker);
        if (message.type !== 'result') return;
        // The next task first, then the delivery: writing a task's alerts takes the main thread
        // milliseconds, and the worker would wait them out idle (20 ms a task with SigmaHQ).
        feed();
        waiting.set(message.result.task.id, message.result);
        while (waiting.has(nextToDeliver)) {
          const done = waiting.get(nextToDeliver)!;
          waiting.delete(nextToDeliver);
          nextToDeliver += 1;
          deliver(done);
        }
        if (nextToDeliver === tasks.length) resolve();
      });
      worker.on('error', reject);
      ready.then(feed, reject);
    }
  });
}
