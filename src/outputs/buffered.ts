/**
 * Collects output text and writes it in blocks: stdout to a file or /dev/null is synchronous,
 * so one write per alert would be one system call per alert.
 */
export class BufferedOut {
  private pending = '';

  constructor(private readonly out: NodeJS.WritableStream, private readonly blockSize = 64 * 1024) {}

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= this.blockSize) this.flush();
  }

  /** Text already encoded (a worker's alerts): written as it is, after the text pending. */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.out.write(bytes);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.out.write(this.pending);
    this.pending = '';
  }
}
