/**
 * Collects output and writes it in blocks: stdout to a file or /dev/null is synchronous, so one
 * write per alert would be one system call per alert.
 *
 * Text is encoded into the block as it comes, as the worker threads' blocks are
 * (parallel/alert-block.ts): encoding a string built of thousands of pieces is several times
 * slower than encoding each piece (docs/performance.md#output-blocks).
 */
export class BufferedOut {
  private block: Buffer;
  private length = 0;

  constructor(private readonly out: NodeJS.WritableStream, private readonly blockSize = 64 * 1024) {
    this.block = Buffer.allocUnsafeSlow(blockSize);
  }

  write(text: string): void {
    const size = sizeBeyond(this.block.length - this.length, text);
    if (size > 0) {
      this.flush();
      if (size > this.block.length) return void this.out.write(text);
    }
    this.length += this.block.write(text, this.length);
  }

  /** Text already encoded (a worker's alerts): written as it is, after what is pending. */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.out.write(bytes);
  }

  flush(): void {
    if (this.length === 0) return;
    this.out.write(this.block.subarray(0, this.length));
    this.length = 0;
    // A stream that could not take the bytes at once (a full pipe) still holds the block: take a new one.
    if ((this.out as NodeJS.WritableStream & { writableLength?: number }).writableLength !== 0) this.block = Buffer.allocUnsafeSlow(this.blockSize);
  }
}

/**
 * 0 when `text` fits in `free` bytes as UTF-8, else its UTF-8 size: three bytes per UTF-16 unit
 * at most, so the exact size is only computed near the end of a block.
 */
export function sizeBeyond(free: number, text: string): number {
  if (free >= 3 * text.length) return 0;
  const size = Buffer.byteLength(text);
  return size > free ? size : 0;
}
