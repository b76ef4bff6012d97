import { terminalSafe } from '../outputs/escape.js';

/** Redraws at most this often: a terminal needs no more, and each redraw is a system call. */
const REDRAW_MS = 200;
/** Carriage return, then erase to the end of the line: the line is empty, the cursor at column 0. */
const CLEAR_LINE = '\r\u001b[K';

type Write = NodeJS.WriteStream['write'];

/**
 * A live line on stderr for long scans; only on a TTY, so logs and pipes stay clean.
 *
 * Alerts stream to stdout and the summary to stderr, on the same terminal. So the line never
 * moves the cursor anywhere but the start of its own line, never saves or restores the cursor,
 * never turns line wrap off, and is cut to the width of the terminal minus one (it never wraps).
 * While it is shown, every other write to stdout (when a terminal) and stderr first erases it
 * (`\r ESC[K`): the alert or summary then starts at column 0 of a clean line, and the next
 * update draws the line again below it. Writes are wrapped on the two streams themselves, so
 * no caller can forget to clear it; stop() restores them.
 */
export class Progress {
  private readonly started = performance.now();
  private readonly stderrWrite: Write | undefined;
  private readonly stdoutWrite: Write | undefined;
  private shown = false;
  private lastDraw = -Infinity;
  /** Whether the streams had write as an own property before it was wrapped (stop puts that back). */
  private readonly ownWrite = { out: false, err: false };

  constructor(enabled: boolean, private readonly out: NodeJS.WriteStream = process.stdout, private readonly err: NodeJS.WriteStream = process.stderr) {
    if (!enabled) return;
    this.stderrWrite = err.write;
    this.ownWrite.err = Object.hasOwn(err, 'write');
    err.write = this.clearingBefore(this.stderrWrite, err);
    if (out.isTTY) {
      this.stdoutWrite = out.write;
      this.ownWrite.out = Object.hasOwn(out, 'write');
      out.write = this.clearingBefore(this.stdoutWrite, out);
    }
  }

  update(input: string, events: number, alerts: number): void {
    if (!this.stderrWrite) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    // File names in collected evidence are untrusted too.
    const safe = terminalSafe(input);
    const shown = safe.length > 40 ? '…' + safe.slice(-39) : safe;
    const rate = seconds > 0 ? Math.round(events / seconds) : 0;
    const line = `${shown} | ${events} events | ${rate} ev/s | ${alerts} alerts`;
    const room = Math.max(0, (this.err.columns || 80) - 1);
    this.stderrWrite.call(this.err, CLEAR_LINE + (line.length > room ? line.slice(0, room) : line));
    this.shown = true;
  }

  /** Erase the line (if shown); the next update draws it again. */
  clear(): void {
    if (!this.shown || !this.stderrWrite) return;
    this.shown = false;
    this.stderrWrite.call(this.err, CLEAR_LINE);
  }

  /** Erase the line for good and give the streams their own write back. */
  stop(): void {
    if (!this.stderrWrite) return;
    this.clear();
    restore(this.err, this.stderrWrite, this.ownWrite.err);
    if (this.stdoutWrite) restore(this.out, this.stdoutWrite, this.ownWrite.out);
  }

  private clearingBefore(write: Write, stream: NodeJS.WriteStream): Write {
    return ((...args: Parameters<Write>) => {
      this.clear();
      return write.apply(stream, args);
    }) as Write;
  }
}

function restore(stream: NodeJS.WriteStream, write: Write, own: boolean): void {
  if (own) stream.write = write;
  else delete (stream as { write?: Write }).write; // the prototype's again
}
