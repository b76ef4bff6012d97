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
 *
 * After each read, reading pauses for `gapMs` and lets the FIFO collect what strace writes
 * meanwhile. strace writes every call in one or two small writes: read as they come, an
 * `npm install` of esbuild, vite and typescript woke the event loop 2,812 times for 1,899 trace
 * lines, and those wake-ups were most of the sensor's CPU after start-up, taken from the install
 * on a 2-core machine. The pause delays an alert (and `--block`) by at most `gapMs`; a FIFO holds
 * 64 KiB, far more than strace writes in a few milliseconds, so strace does not wait for it.
 */
export class TraceReader {
  private stream?: Readable;
  private readonly queue: string[] = [];
  private queued = 0;
  private ended = false;
  private error?: Error;
  private wake?: () => void;
  /** Reading is paused for the gap after a read (not for the cap). */
  private resting = false;

  constructor(
    private readonly cap: number,
    private readonly gapMs = 0,
  ) {}

  /**
   * The opened FIFO. Bytes are kept as latin1 characters, one per byte (the parser decodes).
   * With a gap, the stream must stop reading its source when paused: a net.Socket needs
   * `readableHighWaterMark: 1` for that, or it keeps reading into its own buffer.
   */
  attach(stream: Readable): void {
    this.stream = stream;
    stream.setEncoding('latin1');
    stream.on('data', (chunk: string) => {
      this.queue.push(chunk);
      this.queued += chunk.length;
      if (this.queued >= this.cap) stream.pause();
      else if (this.gapMs > 0 && !this.resting) {
        // After the poll phase: a read that restarts after a gap takes all the FIFO holds,
        // which may come as more than one data event.
        this.resting = true;
        setImmediate(() => this.rest(stream));
      }
      this.notify();
    });
    stream.once('end', () => {
      this.ended = true;
      this.notify();
    });
    stream.once('error', (err) => this.fail(err));
  }

  private rest(stream: Readable): void {
    stream.pause();
    setTimeout(() => {
      this.resting = false;
      if (this.queued < this.cap) stream.resume();
    }, this.gapMs);
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
        if (this.stream?.isPaused() && !this.resting) this.stream.resume();
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
