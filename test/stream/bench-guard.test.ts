import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stallGuard } from '../../src/bench/stream.js';

/** The stream bench waits on its workers' progress; it must end with their logs, never hang. */
describe('the stream bench: waiting on workers', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives up with the log of a worker that exited', async () => {
    const child = spawn(process.execPath, ['-e', 'console.error("cannot connect"); process.exit(3)'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const guard = stallGuard([child]);
    await once(child, 'close');
    expect(() => guard.check(0)).toThrow(/stream worker 1 exited with 3 before the end; worker logs \(ends\):\ncannot connect/);
  });

  it('gives up after a minute without progress, and not while the count moves', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let now = 1_000;
      vi.spyOn(performance, 'now').mockImplementation(() => now);
      const guard = stallGuard([child]);
      for (let done = 0; done < 10; done++) {
        now += 50_000;
        guard.check(done * 100);
      }
      now += 59_000;
      guard.check(900);
      now += 2_000;
      expect(() => guard.check(900)).toThrow(/no progress for 60 s at 900 events/);
    } finally {
      child.kill();
    }
  });
});
