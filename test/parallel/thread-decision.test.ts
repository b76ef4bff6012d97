import { describe, expect, it } from 'vitest';
import { allowedThreads, FILE_COST_BYTES, MAX_THREADS_PER_CORE, whyOneThread } from '../../src/parallel/threads.js';

const MiB = 2 ** 20;

describe('whyOneThread: threads decided by the work, bytes and files', () => {
  it('keeps one thread for a few files under the break-even (256 MiB on two cores), and takes two above it', () => {
    expect(whyOneThread({ tasks: 4, files: 4, bytes: 200 * MiB }, 2, false)).toMatch(/^input under 256 MiB \(4 files counted as 1 MiB more\)/);
    expect(whyOneThread({ tasks: 4, files: 4, bytes: 260 * MiB }, 2, false)).toBeUndefined();
    // More cores, a lower break-even: 128 MiB · N/(N − 1).
    expect(whyOneThread({ tasks: 4, files: 4, bytes: 160 * MiB }, 8, false)).toBeUndefined();
  });

  it('counts each file as work of its own: many small files take two threads where their bytes alone would not', () => {
    const files = 2000;
    const bytes = 130 * MiB;
    expect(bytes).toBeLessThan(256 * MiB);
    expect(bytes + files * FILE_COST_BYTES).toBeGreaterThan(256 * MiB);
    expect(whyOneThread({ tasks: files, files, bytes }, 2, false)).toBeUndefined();
    // The same bytes in a few files stay on one thread.
    expect(whyOneThread({ tasks: 7, files: 7, bytes }, 2, false)).toMatch(/^input under 256 MiB/);
  });

  it('with --threads N, splits from 32 MiB of work; never a single task', () => {
    expect(whyOneThread({ tasks: 2, files: 1, bytes: 30 * MiB }, 2, true)).toMatch(/^input under 32 MiB, /);
    expect(whyOneThread({ tasks: 100, files: 100, bytes: 20 * MiB }, 2, true)).toBeUndefined();
    expect(whyOneThread({ tasks: 1, files: 1, bytes: 2000 * MiB }, 2, true)).toBe('a single input that cannot be split');
  });
});

describe('allowedThreads: one per core by default, --threads N honoured up to a bound', () => {
  it('takes N up to MAX_THREADS_PER_CORE per core, and says so when it caps it', () => {
    expect(MAX_THREADS_PER_CORE).toBe(4);
    expect(allowedThreads(undefined, 2)).toEqual({ threads: 2 });
    expect(allowedThreads(undefined, 0)).toEqual({ threads: 1 });
    expect(allowedThreads(3, 2)).toEqual({ threads: 3 });
    expect(allowedThreads(8, 2)).toEqual({ threads: 8 });
    expect(allowedThreads(100_000, 2)).toEqual({ threads: 8, note: '(of 100000 asked: at most 4 per core)' });
    expect(allowedThreads(100, 32)).toEqual({ threads: 100 });
  });
});
