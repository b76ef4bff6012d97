import type { StateRecord } from '../enrich/records.js';
import type { MainMessage } from './protocol.js';

/** A scanner as the relay sees it (a worker thread, or the main thread's own). */
type Scanner = { postMessage(message: MainMessage): void };

/**
 * Enrichment is a fold over the input in order (process trees, DNS answers), but workers scan
 * tasks in parallel. Each worker keeps its own enrichment state across its tasks. For a task it
 * first reads the events and sends the task's state records (process starts and ends, DNS
 * answers: small); this relay then sends it the records of the tasks it skipped (those other
 * workers ran since its previous task), in task order, once they are all in. The worker applies
 * them, then enriches its own events: exactly the state a single thread has at that point, so
 * the output is identical whatever the thread count.
 *
 * Memory: records are kept until every worker has applied them. Tasks are handed out in order,
 * so a worker lags at most the tasks in flight on the others.
 */
export class StateRelay {
  private readonly records = new Map<number, StateRecord[]>();
  /** Last task whose records each worker has applied (-1: none yet). */
  private readonly applied = new Map<Scanner, number>();
  /** Workers waiting for the records before their current task. */
  private readonly waiting = new Map<Scanner, number>();

  register(worker: Scanner): void {
    this.applied.set(worker, -1);
  }

  offer(task: number, records: StateRecord[], worker: Scanner): void {
    this.records.set(task, records);
    this.waiting.set(worker, task);
    for (const [w, t] of this.waiting) this.serve(w, t);
    const low = Math.min(...this.applied.values());
    for (const t of this.records.keys()) if (t <= low) this.records.delete(t);
  }

  private serve(worker: Scanner, task: number): void {
    const from = this.applied.get(worker)! + 1;
    for (let t = from; t < task; t += 1) if (!this.records.has(t)) return; // not all in yet
    const missed: StateRecord[] = [];
    for (let t = from; t < task; t += 1) for (const rec of this.records.get(t)!) missed.push(rec);
    const message: MainMessage = { type: 'state', records: missed };
    worker.postMessage(message);
    this.waiting.delete(worker);
    this.applied.set(worker, task); // the worker applies its own task's records as it scans
  }
}
