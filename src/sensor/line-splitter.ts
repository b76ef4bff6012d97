/**
 * Cuts a sensor's text stream (strace's FIFO, auditd's socket) into lines across chunks: a line
 * split between two reads is held until its end arrives.
 */
export class LineSplitter {
  private tail = '';

  /** Calls `line` for every line the chunk completes, without its newline. */
  feed(chunk: string, line: (text: string) => void): void {
    const text = this.tail + chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      line(text.slice(start, nl));
      start = nl + 1;
    }
    this.tail = text.slice(start);
  }

  /** The stream ended: its last line, if it had no newline. */
  end(line: (text: string) => void): void {
    if (this.tail !== '') line(this.tail);
    this.tail = '';
  }
}
