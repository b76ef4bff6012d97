import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AlertBlock } from '../../src/parallel/alert-block.js';
import { LineBases } from '../../src/parallel/line-bases.js';
import type { ScanTask } from '../../src/parallel/plan.js';
import { runTasks, type PoolWorker } from '../../src/parallel/pool.js';
import type { DispatchedTask, MainMessage, WorkerMessage } from '../../src/parallel/protocol.js';

/** A scanner the test drives: it records the tasks it is sent and answers when told to. */
class FakeScanner {
  readonly events = new EventEmitter();
  readonly received: number[] = [];
  readonly port: PoolWorker = {
    worker: {
      postMessage: (message: MainMessage) => {
        if (!('type' in message)) this.received.push((message as DispatchedTask).id);
      },
      on: (event: string, listener: (m: never) => void) => this.events.on(event, listener),
    },
    ready: Promise.resolve(),
  };

  private readonly finished = new Set<number>();

  /** Ends every task received and not ended yet; false when there was none. */
  drain(tasks: ScanTask[]): boolean {
    const open = this.received.filter((t) => !this.finished.has(t));
    for (const id of open) this.finish(tasks[id]!);
    return open.length > 0;
  }

  block(task: number, bytes: number): void {
    const block: AlertBlock = { task, bytes: new Uint8Array(bytes), ends: new Uint32Array(0), seqs: new Float64Array(0), rules: [], matches: [] };
    this.send({ type: 'block', block });
  }

  finish(task: ScanTask): void {
    this.finished.add(task.id);
    this.send({ type: 'result', result: { task, format: 'sigma-ndjson', events: 1, outsideWindow: 0, bad: [], badCount: 0, unreadable: [] } });
  }

  private send(message: WorkerMessage): void {
    this.events.emit('message', message);
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Ends the scanners' tasks, and those they get meanwhile, until none is left. */
function drainAll(tasks: ScanTask[], ...scanners: FakeScanner[]): void {
  for (let more = true; more; ) {
    more = false;
    for (const s of scanners) more = s.drain(tasks) || more;
  }
}

describe('runTasks: tasks run ahead of delivery hold bounded bytes', () => {
  it('a scanner that ran ahead gets no task while the bytes held pass the limit, and gets one once they are delivered', async () => {
    const tasks: ScanTask[] = Array.from({ length: 20 }, (_, id) => ({ id, input: `f${id}.ndjson`, named: false }));
    const slow = new FakeScanner();
    const fast = new FakeScanner();
    const delivered: number[] = [];
    const done = runTasks(tasks, [slow.port, fast.port], new LineBases(tasks), {
      block: (b) => (delivered.push(b.task), true),
      result: () => {},
    }, 1000);
    await tick();
    // Two tasks queued per scanner while many remain: slow has 0 and 1, fast has 2 and 3.
    expect(slow.received).toEqual([0, 1]);
    expect(fast.received).toEqual([2, 3]);

    // fast finishes task 2 holding 600 bytes (under the limit): it gets task 4.
    fast.block(2, 600);
    fast.finish(tasks[2]!);
    expect(fast.received).toEqual([2, 3, 4]);
    // It finishes task 3 holding 600 more: 1,200 held, over the limit, so no task 5.
    fast.block(3, 600);
    fast.finish(tasks[3]!);
    expect(fast.received).toEqual([2, 3, 4]);
    // slow ends task 0: still held, so slow gets nothing either.
    slow.finish(tasks[0]!);
    expect(slow.received).toEqual([0, 1]);
    expect(delivered).toEqual([]);

    // slow ends task 1: tasks 2 and 3 deliver, and both scanners take tasks again.
    slow.finish(tasks[1]!);
    expect(delivered).toEqual([2, 3]);
    expect(slow.received).toEqual([0, 1, 5, 6]);
    expect(fast.received).toEqual([2, 3, 4, 7]);

    drainAll(tasks, slow, fast);
    await done;
    expect(delivered).toEqual([2, 3]);
  });

  it('while the bytes held stay under the limit, a scanner keeps running ahead', async () => {
    const tasks: ScanTask[] = Array.from({ length: 20 }, (_, id) => ({ id, input: `f${id}.ndjson`, named: false }));
    const slow = new FakeScanner();
    const fast = new FakeScanner();
    const done = runTasks(tasks, [slow.port, fast.port], new LineBases(tasks), { block: () => true, result: () => {} }, 1 << 30);
    await tick();
    for (const id of [2, 3, 4, 5]) {
      fast.block(id, 600);
      fast.finish(tasks[id]!);
    }
    expect(fast.received).toEqual([2, 3, 4, 5, 6, 7]);
    drainAll(tasks, slow, fast);
    await done;
  });
});
