import type { Readable } from 'node:stream';

/**
 * strace's output between the FIFO and the parser. Reading starts as soon as the FIFO is open,
 * before anyone consumes it: `supplywatch run` starts the command first and compiles its rules
 * while the command runs, and the trace written meanwhile must neither be lost nor block strace
 * (a FIFO holds 64 KiB: a blocked strace stops the traced command at its next traced call).
 *
 * What is read is queued until `batches()` takes it, all of it at once. The queue is bounded:
 * past `cap` characters reading stops, the FIFO fills, strace blocks in write() and the command
 * waits at its next traced call — back-pressure instead of unbounded memory. Taking the queue
 * resumes reading.
 */
export class TraceReader {
  private stream?: Readable;
  private readonly queue: string[] = [];
  private queued = 0;
  private ended = false;
  private error?: Error;
  private wake?: () => void;

  constructor(private readonly cap: number) {}

  /** The opened FIFO. Bytes are kept as latin1 characters, one per byte (the parser decodes). */
  attach(stream: Readable): void {
    this.stream = stream;
    stream.setEncoding('latin1');
    stream.on('data', (chunk: string) => {
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (this.queued >= this.cap) stream.pause();
      this.notify();
    });
    stream.once('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.once('error', (err) => this.fail(err));
  }

  /** The FIFO could not be opened or read. */
  fail(err: Error): void {
    this.error ??= err;
    this.notify();
  }

  /** Everything read since the previous batch, joined; ends with the stream. */
  async *batches(): AsyncGenerator<string> {
    for (;;) {
      if (this.queue.length > 0) {
        const text = this.queue.length === 1 ? this.queue[0]! : this.queue.join('');
        this.queue.length = 0;
        this.queued = 0;
        if (this.stream?.isPaused()) this.stream.resume();
        yield text;
      } else if (this.error) {
        throw this.error;
      } else if (this.ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
