import { open, type FileHandle } from 'node:fs/promises';
import type { ScanTask } from './plan.js';

/**
 * Line numbers of byte-range tasks: the number of newlines before each range's start, counted
 * by one sequential pass per file on the main thread (memchr speed, far ahead of the workers),
 * so workers can print final line numbers themselves. A task is dispatched as soon as the
 * count reaches its start. The pass reads into one reused buffer: a fresh Buffer per read
 * made the main thread hold and collect its own copy of the input.
 */
const COUNT_BUFFER_BYTES = 1 << 20;

export class LineBases {
  private readonly bases = new Map<ScanTask, Promise<number>>();
  private readonly counted = new Map<ScanTask, number>();

  constructor(tasks: readonly ScanTask[]) {
    const byInput = new Map<string, ScanTask[]>();
    for (const task of tasks) {
      if (!task.range) continue;
      const list = byInput.get(task.input) ?? [];
      list.push(task);
      byInput.set(task.input, list);
    }
    for (const [input, ranges] of byInput) this.countFile(input, ranges);
  }

  /** The task's base if already counted (0 for whole-input tasks), so it can be sent without waiting a turn. */
  known(task: ScanTask): number | undefined {
    return task.range ? this.counted.get(task) : 0;
  }

  /** Newlines before the task's first byte (0 for whole-input tasks). */
  baseFor(task: ScanTask): Promise<number> {
    return this.bases.get(task) ?? Promise.resolve(0);
  }

  private countFile(input: string, ranges: ScanTask[]): void {
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
    void (async () => {
      let next = 0; // index of the next range whose start we have to reach
      let offset = 0;
      let newlines = 0;
      const settle = () => {
        while (next < ranges.length && ranges[next]!.range!.start <= offset) resolvers[next++]!(newlines);
      };
      let file: FileHandle | undefined;
      try {
        settle();
        file = await open(input, 'r');
        const buf = Buffer.allocUnsafe(COUNT_BUFFER_BYTES);
        while (next < ranges.length) {
          const { bytesRead } = await file.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          // Ranges start right after a newline, so a start inside this chunk is at a line boundary.
          while (next < ranges.length && ranges[next]!.range!.start < offset + bytesRead) {
            const cut = ranges[next]!.range!.start - offset;
            resolvers[next++]!(newlines + countNewlines(buf, 0, cut));
          }
          newlines += countNewlines(buf, 0, bytesRead);
          offset += bytesRead;
        }
        settle();
      } catch (err) {
        for (let i = next; i < ranges.length; i++) rejecters[i]!(err as Error);
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
