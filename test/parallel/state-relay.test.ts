import { describe, expect, it } from 'vitest';
import type { StateRecord } from '../../src/enrich/records.js';
import type { MainMessage } from '../../src/parallel/protocol.js';
import { StateRelay } from '../../src/parallel/state-relay.js';

/** A scanner that keeps the state messages it is sent. */
function scanner() {
  const states: Array<{ task: number; records: unknown[] }> = [];
  return {
    states,
    postMessage(message: MainMessage) {
      if ('type' in message && message.type === 'state') states.push({ task: message.task, records: message.records });
    },
  };
}

/** A task's records, recognisable: one record naming the task. */
const recordsOf = (task: number) => [{ task } as unknown as StateRecord];

describe('StateRelay: each task gets the records of the tasks other scanners ran before it', () => {
  it('serves a scanner that reads ahead each of its tasks in order, with the records of the others\' tasks only', () => {
    const relay = new StateRelay();
    const a = scanner();
    const b = scanner();
    relay.register(a);
    relay.register(b);
    // a holds tasks 0 and 1, b holds 2 and 3; each sends the records of both before scanning.
    relay.offer(2, recordsOf(2), b);
    relay.offer(3, recordsOf(3), b);
    expect(b.states).toEqual([]); // tasks 0 and 1 not read yet
    relay.offer(0, recordsOf(0), a);
    expect(a.states).toEqual([{ task: 0, records: [] }]);
    expect(b.states).toEqual([]);
    relay.offer(1, recordsOf(1), a);
    expect(a.states).toEqual([{ task: 0, records: [] }, { task: 1, records: [] }]);
    // Task 2 follows a's 0 and 1; task 3 follows b's own task 2, which b applies as it scans it.
    expect(b.states).toEqual([{ task: 2, records: [{ task: 0 }, { task: 1 }] }, { task: 3, records: [] }]);
    // a's next task, 4, follows b's 2 and 3.
    relay.offer(4, recordsOf(4), a);
    expect(a.states.at(-1)).toEqual({ task: 4, records: [{ task: 2 }, { task: 3 }] });
  });

  it('holds a task until every task before it has sent its records, and then serves it at once', () => {
    const relay = new StateRelay();
    const a = scanner();
    const b = scanner();
    relay.register(a);
    relay.register(b);
    // Tasks alternate: a holds 0 and 2, b holds 1 and 3; b is slow to read.
    relay.offer(0, recordsOf(0), a);
    relay.offer(2, recordsOf(2), a);
    expect(a.states).toEqual([{ task: 0, records: [] }]); // 2 waits for 1
    relay.offer(1, recordsOf(1), b);
    expect(b.states).toEqual([{ task: 1, records: [{ task: 0 }] }]);
    expect(a.states.at(-1)).toEqual({ task: 2, records: [{ task: 1 }] });
    relay.offer(3, recordsOf(3), b);
    expect(b.states.at(-1)).toEqual({ task: 3, records: [{ task: 2 }] });
  });
});
