import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { AuditEventBuilder } from '../../src/sensor/audit/event-builder.js';
import { LineSplitter } from '../../src/sensor/line-splitter.js';
import { HostResolver, parseHosts } from '../../src/sensor/resolver.js';
import { TraceParser } from '../../src/sensor/trace-parser.js';
import { MAX_LINE_BYTES, OVERSIZED_LINE } from '../../src/sources/lines.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { FIXTURES } from './sensor-cli.js';

/**
 * A sensor's stream that never sends a newline (a garbled FIFO, a hostile process writing into
 * the audit socket) must not grow the line held without limit: past the file readers' cap, the
 * line is dropped as it comes, reported once with its line number, and the next lines are read.
 */
const MIB = 'x'.repeat(1 << 20);
/** Feeds a line longer than the cap, 1 MiB at a time, without its newline. */
function feedOverLong(feed: (chunk: string) => void): void {
  for (let sent = 0; sent <= MAX_LINE_BYTES; sent += MIB.length) feed(MIB);
}

function collect() {
  const got: string[] = [];
  return { got, sink: { line: (text: string) => got.push(text), tooLong: () => got.push('<too long>') } };
}

describe('LineSplitter', () => {
  it('joins lines split across chunks and hands on the last line without a newline at the end', () => {
    const { got, sink } = collect();
    const splitter = new LineSplitter();
    for (const chunk of ['one\ntw', 'o', '\n\nthr', 'ee']) splitter.feed(chunk, sink);
    splitter.end(sink);
    expect(got).toEqual(['one', 'two', '', 'three']);
  });

  it('drops a line longer than MAX_LINE_BYTES, says so once at its newline, and goes on', () => {
    const { got, sink } = collect();
    const splitter = new LineSplitter();
    splitter.feed('first\n', sink);
    feedOverLong((chunk) => splitter.feed(chunk, sink));
    expect(got).toEqual(['first']);
    splitter.feed('tail of it\nnext\n', sink);
    splitter.end(sink);
    expect(got).toEqual(['first', '<too long>', 'next']);
  });

  it('says so at the end of a stream that never sent a newline', () => {
    const { got, sink } = collect();
    const splitter = new LineSplitter();
    feedOverLong((chunk) => splitter.feed(chunk, sink));
    splitter.end(sink);
    expect(got).toEqual(['<too long>']);
  });

  it('keeps a line of exactly MAX_LINE_BYTES', () => {
    let length = -1;
    const splitter = new LineSplitter();
    const sink = { line: (text: string) => (length = text.length), tooLong: () => (length = -2) };
    for (let sent = 0; sent < MAX_LINE_BYTES; sent += MIB.length) splitter.feed(MIB, sink);
    splitter.feed('\n', sink);
    expect(length).toBe(MAX_LINE_BYTES);
  });
});

describe('the live parsers report an over-long line as a bad record with its line number', () => {
  it('strace: the line is a bad record, the calls before and after it are events', () => {
    const bad: BadRecord[] = [];
    const strace = { pid: 1, image: '/usr/bin/strace', commandLine: 'strace -f -- sh' };
    const parser = new TraceParser({ host: 'h', user: 'u', cwd: '/proj', strace }, new HostResolver(parseHosts('')), (b) => bad.push(b));
    const events: NormalizedEvent[] = [];
    parser.feed('100 1.000000 execve("/usr/bin/sh", ["sh"], 0x7ffe /* 35 vars */) = 0\n', events);
    feedOverLong((chunk) => parser.feed(chunk, events));
    parser.feed('\n100 1.000100 openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3\n', events);
    parser.end(events);
    expect(bad).toEqual([{ file: 'strace', format: 'strace', line: 2, reason: OVERSIZED_LINE }]);
    expect(events.map((e) => [e.category, e.source.line])).toEqual([['process_creation', 1], ['file_event', 3]]);
  });

  it('audit: the line is a bad record, the records after it make the same events', () => {
    const recorded = readFileSync(join(FIXTURES, 'audit', 'subshell.audit'), 'utf8');
    const run = (overLong: boolean) => {
      const bad: BadRecord[] = [];
      const sensor = { pid: 8305, image: '/usr/bin/node', commandLine: 'node supplywatch run' };
      const builder = new AuditEventBuilder('supplywatch-run-0123456789', { host: 'h', userOf: (uid) => uid, root: { sensor, pid: 8320, cwd: '/tmp/swa' } }, new HostResolver(new Map()), (b) => bad.push(b));
      const events: NormalizedEvent[] = [];
      if (overLong) {
        feedOverLong((chunk) => builder.feed(chunk, events));
        builder.feed('\n', events);
      }
      builder.feed(recorded, events);
      builder.end(events);
      return { bad, events };
    };
    const plain = run(false);
    const after = run(true);
    expect(after.bad).toEqual([{ file: 'audit', format: 'auditd', line: 1, reason: OVERSIZED_LINE }, ...plain.bad.map((b) => ({ ...b, line: b.line! + 1 }))]);
    expect(plain.events.length).toBeGreaterThan(0);
    expect(after.events.map((e) => e.fields)).toEqual(plain.events.map((e) => e.fields));
    expect(after.events.map((e) => e.source.line)).toEqual(plain.events.map((e) => e.source.line! + 1));
  });
});
