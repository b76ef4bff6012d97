/**
 * The bytes of one JSON value that may run over several input chunks, held up to a bound: a
 * scanner (json-values.ts, json-records.ts) keeps only the value being read, and a value larger
 * than the bound is dropped (and reported by the scanner) instead of buffered without limit.
 */
export class BoundedSpan {
  private parts: Buffer[] = [];
  private bytes = 0;
  /** The value outgrew the bound: what it held was dropped. */
  tooLarge = false;

  constructor(readonly limit: number) {}

  reset(): void {
    this.parts = [];
    this.bytes = 0;
    this.tooLarge = false;
  }

  /** The chunk ends inside the value: keep `chunk[from..]`. */
  carry(chunk: Buffer, from: number): void {
    if (this.tooLarge) return;
    this.bytes += chunk.length - from;
    if (this.bytes > this.limit) {
      this.tooLarge = true;
      this.parts = [];
    } else this.parts.push(chunk.subarray(from));
  }

  /** The value ends before `chunk[end]`: its text, or undefined when it outgrew the bound. Resets the span. */
  finish(chunk: Buffer, from: number, end: number): string | undefined {
    let text: string | undefined;
    if (!this.tooLarge && this.bytes + end - from <= this.limit) {
      this.parts.push(chunk.subarray(from, end));
      text = this.parts.length === 1 ? this.parts[0]!.toString('utf8') : Buffer.concat(this.parts).toString('utf8');
    }
    this.reset();
    return text;
  }

  /** What is held, for a value that ends with the input itself. */
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}
