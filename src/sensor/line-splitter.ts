import { MAX_LINE_BYTES } from '../sources/lines.js';

/** What a LineSplitter hands on: each complete line, and each line dropped for its length. */
export interface LineSink {
  /** A complete line, without its newline. */
  line(text: string): void;
  /** A line longer than the cap ended (or the stream ended inside it): it was dropped. */
  tooLong(): void;
}

/**
 * Cuts a sensor's text stream (strace's FIFO, auditd's socket) into lines across chunks: a line
 * split between two reads is held until its end arrives. The part held is bounded as the file
 * readers bound theirs (sources/lines.ts): a line longer than MAX_LINE_BYTES is dropped as it
 * grows, reported once (as a bad record, by its caller) when its newline comes, and reading goes
 * on with the next line, so a stream that never sends a newline cannot grow memory without limit.
 * The sensors read their streams as latin1 (one character per byte), so characters are bytes.
 */
export class LineSplitter {
  private tail = '';
  /** Inside a line already over the cap: its text is dropped up to its newline. */
  private skipping = false;

  /** Hands on every line the chunk completes. */
  feed(chunk: string, sink: LineSink): void {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) !== -1) {
      if (this.skipping || this.tail.length + nl - start > MAX_LINE_BYTES) {
        this.skipping = false;
        this.tail = '';
        sink.tooLong();
      } else {
        sink.line(this.tail === '' ? chunk.slice(start, nl) : this.tail + chunk.slice(start, nl));
        this.tail = '';
      }
      start = nl + 1;
    }
    if (this.skipping || start === chunk.length) return;
    if (this.tail.length + chunk.length - start > MAX_LINE_BYTES) {
      this.skipping = true;
      this.tail = '';
    } else {
      this.tail += chunk.slice(start);
    }
  }

  /** The stream ended: its last line, if it had no newline. */
  end(sink: LineSink): void {
    if (this.skipping) sink.tooLong();
    else if (this.tail !== '') sink.line(this.tail);
    this.tail = '';
    this.skipping = false;
  }
}
