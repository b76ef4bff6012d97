import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { HostResolver } from '../../src/sensor/resolver.js';
import { findStrace, launchStrace, type TraceSession } from '../../src/sensor/strace-launcher.js';
import { TraceParser } from '../../src/sensor/trace-parser.js';
import { workspace } from './sensor-cli.js';

const STRACE = findStrace();

async function collect(session: TraceSession, cwd: string) {
  const bad: BadRecord[] = [];
  const strace = { pid: session.strace.pid ?? 0, image: 'strace', commandLine: session.argv.join(' ') };
  const parser = new TraceParser({ host: 'h', user: 'u', cwd, strace }, new HostResolver(new Map()), (b) => bad.push(b));
  const events: NormalizedEvent[] = [];
  let text = '';
  for await (const batch of session.output.batches()) {
    text += batch;
    parser.feed(batch, events);
  }
  parser.end(events);
  await session.exited;
  session.cleanup();
  return { events, bad, parser, text };
}

/** 3,000 files created by one shell in `dir`: about 300 kB of trace, far more than a FIFO holds (64 KiB). */
const manyFiles = (dir: string) => ['sh', '-c', 'cd "$0" && i=0; while [ $i -lt 3000 ]; do : > f$i; i=$((i+1)); done', dir];

describe.runIf(STRACE)('launchStrace: the command runs before anyone reads its trace', () => {
  it('holds the trace while nothing reads it: the command finishes and no line is lost', { timeout: 15_000 }, async () => {
    const dir = workspace();
    const session = launchStrace(STRACE!, manyFiles(dir));
    // Nothing is consumed until strace has exited: were the trace not read meanwhile, strace
    // would block on the full FIFO and this would never resolve.
    const end = await session.exited;
    expect(end.code).toBe(0);
    const { events, bad, parser } = await collect(session, dir);
    expect(bad).toEqual([]);
    const files = events.filter((e) => e.category === 'file_event').map((e) => e.fields.TargetFilename);
    expect(files).toHaveLength(3000);
    expect(new Set(files)).toEqual(new Set(Array.from({ length: 3000 }, (_, i) => join(dir, `f${i}`))));
    expect(parser.rootExit).toEqual({ code: 0 });
  });

  it('loses nothing when its cap is reached and strace has to wait (back-pressure)', { timeout: 15_000 }, async () => {
    const dir = workspace();
    const { events, bad } = await collect(launchStrace(STRACE!, manyFiles(dir), 8192), dir);
    expect(bad).toEqual([]);
    expect(events.filter((e) => e.category === 'file_event')).toHaveLength(3000);
  });

  it("traces each new thread's set_robust_list, which the events never show", async () => {
    const dir = workspace();
    // node starts several threads (V8 platform workers, libuv's pool).
    const session = launchStrace(STRACE!, [process.execPath, '-e', 'require("fs").writeFileSync(process.argv[1], "x")', join(dir, 'out.txt')]);
    const { events, bad, parser, text } = await collect(session, dir);
    expect(bad).toEqual([]);
    expect(text.match(/ set_robust_list\(/g)?.length ?? 0).toBeGreaterThan(1);
    expect(events.some((e) => e.category === 'file_event' && e.fields.TargetFilename === join(dir, 'out.txt'))).toBe(true);
    expect(events.some((e) => e.fields.Syscall === 'set_robust_list')).toBe(false);
    expect(parser.builder.counts.orphanCalls).toBe(0);
  });
});
