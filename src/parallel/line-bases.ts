import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { ScanTask } from './plan.js';

/**
 * Line numbers of byte-range tasks: the number of newlines before each range's start, counted
 * by one sequential pass per file on the main thread (memchr speed, far ahead of the workers),
 * so workers can print final line numbers themselves. A task is dispatched as soon as the
 * count reaches its start. The pass reads into one reused buffer: a fresh Buffer per read
 * made the main thread hold and collect its own copy of the input (docs/performance.md#line-bases).
 */
const COUNT_BUFFER_BYTES = 1 << 20;

export class LineBases {
  private readonly bases = new Map<ScanTask, Promise<number>>();
  private readonly counted = new Map<ScanTask, number>();

  /**
   * `sentAtOnce`: how many tasks the pool sends before any ends. Their bases are counted at
   * once, synchronously: counted in the background, the worker's first task waited for its
   * base, one 1 MiB read per turn of a main thread busy with its own first batch (and the rule
   * automata it builds then) (docs/performance.md#line-bases).
   */
  constructor(tasks: readonly ScanTask[], sentAtOnce = 0) {
    const byInput = new Map<string, ScanTask[]>();
    for (const task of tasks) {
      if (!task.range) continue;
      const list = byInput.get(task.input) ?? [];
      list.push(task);
      byInput.set(task.input, list);
    }
    const lastAtOnce = tasks[Math.min(sentAtOnce, tasks.length) - 1];
    for (const [input, ranges] of byInput) {
      const atOnce = lastAtOnce ? ranges.filter((task) => task.id <= lastAtOnce.id).length : 0;
      this.countFile(input, ranges, atOnce);
    }
  }

  /** The task's base if already counted (0 for whole-input tasks), so it can be sent without waiting a turn. */
  known(task: ScanTask): number | undefined {
    return task.range ? this.counted.get(task) : 0;
  }

  /** Newlines before the task's first byte (0 for whole-input tasks). */
  baseFor(task: ScanTask): Promise<number> {
    return this.bases.get(task) ?? Promise.resolve(0);
  }

  private countFile(input: string, ranges: ScanTask[], atOnce: number): void {
    const resolvers: Array<(n: number) => void> = [];
    const rejecters: Array<(e: Error) => void> = [];
    for (const task of ranges) {
      this.bases.set(task, new Promise<number>((resolve, reject) => {
        resolvers.push((n) => {
          this.counted.set(task, n);
          resolve(n);
        });
        rejecters.push(reject);
      }));
    }
    let next = 0; // index of the next range whose start we have to reach
    let offset = 0;
    let newlines = 0;
    const buf = Buffer.allocUnsafe(COUNT_BUFFER_BYTES);
    /** Counts the chunk read at `offset`, settling the ranges that start in it. */
    const counted = (bytesRead: number) => {
      // Ranges start right after a newline, so a start inside this chunk is at a line boundary.
      while (next < ranges.length && ranges[next]!.range!.start < offset + bytesRead) {
        const cut = ranges[next]!.range!.start - offset;
        resolvers[next++]!(newlines + countNewlines(buf, 0, cut));
      }
      newlines += countNewlines(buf, 0, bytesRead);
      offset += bytesRead;
    };
    const settle = () => {
      while (next < ranges.length && ranges[next]!.range!.start <= offset) resolvers[next++]!(newlines);
    };
    const fail = (err: Error) => {
      for (let i = next; i < ranges.length; i++) rejecters[i]!(err);
      next = ranges.length;
    };
    settle();
    if (atOnce > next) {
      let fd: number | undefined;
      try {
        fd = openSync(input, 'r');
        for (let bytesRead = -1; next < atOnce && bytesRead !== 0; ) counted((bytesRead = readSync(fd, buf, 0, buf.length, offset)));
        settle();
      } catch (err) {
        fail(err as Error);
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
    if (next === ranges.length) return;
    void (async () => {
      let file: FileHandle | undefined;
      try {
        file = await open(input, 'r');
        while (next < ranges.length) {
          const { bytesRead } = await file.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          counted(bytesRead);
        }
        settle();
      } catch (err) {
        fail(err as Error);
      } finally {
        await file?.close();
      }
    })();
  }
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a, from); i !== -1 && i < to; i = buf.indexOf(0x0a, i + 1)) n += 1;
  return n;
}
