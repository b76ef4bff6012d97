import type { StateRecord } from '../enrich/records.js';
import type { MainMessage } from './protocol.js';

/** A scanner as the relay sees it (a worker thread, or the main thread's own). */
type Scanner = { postMessage(message: MainMessage): void };

/**
 * Enrichment is a fold over the input in order (process trees, DNS answers), but workers scan
 * tasks in parallel. Each worker keeps its own enrichment state across its tasks. For each
 * task it first reads the events and sends the task's state records (process starts and ends,
 * DNS answers: small); this relay then sends it, for that task, the records of the tasks other
 * scanners ran since its previous one, in task order, once they are all in. The worker applies
 * them, then enriches the task's own events: exactly the state a single thread has at that
 * point, so the output is identical whatever the thread count.
 *
 * A scanner reads ahead: it sends the records of every task it holds before it scans any
 * (scanner.ts), so its tasks wait here in order, and those of the others never wait for a task
 * queued behind its running one (docs/performance.md#state-relay-read-ahead).
 *
 * Memory: records are kept until every worker has applied them. Tasks are handed out in order,
 * so a worker lags at most the tasks in flight on the others.
 */
export class StateRelay {
  private readonly records = new Map<number, StateRecord[]>();
  /** Last task whose records each worker has applied or will have applied before its next one (-1: none yet). */
  private readonly applied = new Map<Scanner, number>();
  /** Each worker's tasks waiting for the records before them, in task order. */
  private readonly waiting = new Map<Scanner, number[]>();

  register(worker: Scanner): void {
    this.applied.set(worker, -1);
    this.waiting.set(worker, []);
  }

  offer(task: number, records: StateRecord[], worker: Scanner): void {
    this.records.set(task, records);
    this.waiting.get(worker)!.push(task);
    for (const w of this.waiting.keys()) this.serve(w);
    const low = Math.min(...this.applied.values());
    for (const t of this.records.keys()) if (t <= low) this.records.delete(t);
  }

  /** Sends the worker the records before each of its waiting tasks, in order, as far as they are all in. */
  private serve(worker: Scanner): void {
    const queue = this.waiting.get(worker)!;
    while (queue.length > 0) {
      const task = queue[0]!;
      const from = this.applied.get(worker)! + 1;
      for (let t = from; t < task; t += 1) if (!this.records.has(t)) return; // not all in yet
      const missed: StateRecord[] = [];
      for (let t = from; t < task; t += 1) for (const rec of this.records.get(t)!) missed.push(rec);
      worker.postMessage({ type: 'state', task, records: missed });
      queue.shift();
      this.applied.set(worker, task); // the worker applies its own task's records as it scans
    }
  }
}
