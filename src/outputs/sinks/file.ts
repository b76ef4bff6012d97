import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { BufferedOut } from '../buffered.js';
import { terminalSafe } from '../escape.js';
import type { OutputSink, SinkReport } from './sink.js';

/** stdout, written in blocks as the plain scan writes it. */
export function stdoutSink(): OutputSink {
  const out = new BufferedOut(process.stdout);
  return {
    write: (text) => out.write(text),
    flush: () => out.flush(),
    close: async () => {
      out.flush();
      return { undelivered: 0 };
    },
  };
}

/**
 * A file, created (or truncated) when the scan starts, written synchronously in blocks: it
 * holds a scan's alerts however slow the disk is, and a write error (disk full) is a failure
 * of the scan, not a silent gap.
 */
export class FileSink implements OutputSink {
  readonly fd: number;
  private readonly out: BufferedOut;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new UsageError(`--output: cannot write ${terminalSafe(path)}: ${(err as Error).message}`);
    }
    const fd = this.fd;
    const write = (chunk: string | Uint8Array) => {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
      return true;
    };
    // Written synchronously: nothing is ever left pending (BufferedOut reuses its block).
    this.out = new BufferedOut({ write, writableLength: 0 } as unknown as NodeJS.WritableStream);
  }

  write(text: string): void {
    this.out.write(text);
  }

  flush(): void {
    this.out.flush();
  }

  async close(): Promise<SinkReport> {
    this.out.flush();
    closeSync(this.fd);
    return { undelivered: 0 };
  }
}
