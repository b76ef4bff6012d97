import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes the record stream through until the record that carries `text` (the mark the sensor
 * sends with `auditctl -m` once the command's processes are all gone), then ends it. The kernel
 * queues records in the order they were made, so that record comes after every record of the
 * run: reading stops exactly when nothing more can come.
 *
 * The mark is looked for only once `arm()` is called (just before it is sent), within what
 * arrived since then plus the tail of the chunk before (a mark cut between two reads).
 */
export class EndMarker extends Transform {
  private armed = false;
  private done = false;
  private tail = '';
  private settle!: (found: boolean) => void;
  /** Resolves when the stream ends: true at the marker, false when cut short. */
  readonly finished = new Promise<boolean>((resolve) => (this.settle = resolve));

  constructor(readonly text: string) {
    // Small buffers, so the reader's pauses reach the socket (see TraceReader.attach).
    super({ readableHighWaterMark: 1, writableHighWaterMark: 1, decodeStrings: false, encoding: 'latin1' });
  }

  /** The mark is about to be sent: end at its record. */
  arm(): void {
    this.armed = true;
  }

  /** Ends the stream now (the marker did not come in time, or the receiver stopped). */
  cut(found = false): void {
    if (this.done) return;
    this.done = true;
    this.push(null);
    this.settle(found);
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.done) return callback();
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (this.armed) {
      const joined = this.tail + text;
      const at = joined.indexOf(this.text);
      if (at >= 0) {
        const lineEnd = joined.indexOf('\n', at);
        const keep = (lineEnd < 0 ? joined.length : lineEnd + 1) - this.tail.length;
        if (keep > 0) this.push(text.slice(0, keep));
        this.cut(true);
        return callback();
      }
    }
    this.tail = text.slice(-this.text.length);
    callback(null, text);
  }

  override _flush(callback: TransformCallback): void {
    this.done = true;
    this.settle(false);
    callback();
  }
}
