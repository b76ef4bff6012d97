import { describe, expect, it } from 'vitest';
import { EventGrouper, MAX_OPEN_EVENTS, type AuditEvent } from '../../../src/sources/auditd/group.js';
import { parseRecord, type AuditRecord } from '../../../src/sources/auditd/record.js';
import { ProcessTable } from '../../../src/sources/auditd/process-table.js';

const rec = (type: string, serial: number, node?: string): AuditRecord =>
  parseRecord(`${node ? `node=${node} ` : ''}type=${type} msg=audit(1.000:${serial}): x=1`) as AuditRecord;
const shape = (events: AuditEvent[]) => events.map((e) => [e.id, e.records.map((r) => r.type).join(','), e.line]);

describe('event grouping', () => {
  it('ends an event at EOE and keeps interleaved serials apart, in the order events began', () => {
    const g = new EventGrouper();
    const out: AuditEvent[] = [];
    const feed = (r: AuditRecord, line: number) => out.push(...g.add(r, line).events);
    feed(rec('SYSCALL', 1), 1);
    feed(rec('SYSCALL', 2), 2);
    feed(rec('EXECVE', 1), 3);
    feed(rec('SOCKADDR', 2), 4);
    feed(rec('EOE', 2), 5);
    expect(out).toEqual([]); // 2 is done but 1 began first
    feed(rec('EOE', 1), 6);
    expect(shape(out)).toEqual([['1.000:1', 'SYSCALL,EXECVE', 1], ['1.000:2', 'SYSCALL,SOCKADDR', 2]]);
  });

  it('closes an event without EOE once MAX_OPEN_EVENTS later events have begun, and flushes the rest at EOF', () => {
    const g = new EventGrouper();
    const out: AuditEvent[] = [];
    for (let s = 1; s <= MAX_OPEN_EVENTS + 1; s++) out.push(...g.add(rec('SYSCALL', s), s).events);
    expect(shape(out)).toEqual([['1.000:1', 'SYSCALL', 1]]);
    const late = g.add(rec('PATH', 1), 99);
    expect(late).toEqual({ events: [], late: true });
    expect(g.flush().length).toBe(MAX_OPEN_EVENTS);
  });

  it('separates hosts with the same serial and takes AUOMS lines as whole events', () => {
    const g = new EventGrouper();
    expect(g.add(rec('SYSCALL', 5, 'a'), 1).events).toEqual([]);
    expect(g.add(rec('SYSCALL', 5, 'b'), 2).events).toEqual([]);
    expect(shape(g.flush())).toEqual([['1.000:5', 'SYSCALL', 1], ['1.000:5', 'SYSCALL', 2]]);
    expect(shape(g.add(rec('AUOMS_EXECVE', 6), 3).events)).toEqual([['1.000:6', 'AUOMS_EXECVE', 3]]);
  });
});

describe('process table', () => {
  it('evicts the oldest entry past its cap; observe never overwrites', () => {
    const t = new ProcessTable(2);
    t.set('h', 1, { image: '/a' });
    t.set('h', 2, { image: '/b' });
    t.observe('h', 2, { image: '/stale' });
    t.set('h', 3, { image: '/c' });
    expect([t.get('h', 1), t.get('h', 2)?.image, t.get('h', 3)?.image, t.get('other', 3), t.size]).toEqual([undefined, '/b', '/c', undefined, 2]);
  });

  it('stays at its cap however many pids it sees, keeping the ones used last', () => {
    const t = new ProcessTable(100);
    t.set(undefined, 1, { image: '/busy-parent' });
    for (let pid = 2; pid < 10_000; pid++) {
      t.set(undefined, pid, { image: `/bin/p${pid}` });
      if (pid % 50 === 0) t.get(undefined, 1); // a parent looked up now and then is not evicted
    }
    expect(t.size).toBe(100);
    expect([t.get(undefined, 1)?.image, t.get(undefined, 9_999)?.image, t.get(undefined, 9_899)]).toEqual(['/busy-parent', '/bin/p9999', undefined]);
  });

  it('evicts the entries used longest ago once the command lines pass their character budget', () => {
    const t = new ProcessTable(100, 25);
    t.set(undefined, 1, { image: '/bin/a', commandLine: 'a'.repeat(10) });
    t.set(undefined, 2, { image: '/bin/b', commandLine: 'b'.repeat(10) });
    t.get(undefined, 1);
    t.set(undefined, 3, { image: '/bin/c', commandLine: 'c'.repeat(10) }); // 30 > 25: pid 2 goes
    expect([t.get(undefined, 1)?.image, t.get(undefined, 2), t.get(undefined, 3)?.image, t.size]).toEqual(['/bin/a', undefined, '/bin/c', 2]);
    t.exit(undefined, 1);
    t.set(undefined, 4, { image: '/bin/d', commandLine: 'd'.repeat(10) }); // the exited one's characters were given back
    expect([t.get(undefined, 3)?.image, t.get(undefined, 4)?.image, t.size]).toEqual(['/bin/c', '/bin/d', 2]);
  });

  it('drops an exited pid, so a process that reuses it is not taken for the old one', () => {
    const t = new ProcessTable();
    t.set('h', 7, { image: '/usr/bin/node', commandLine: 'node a.js' });
    t.exit('h', 7);
    expect([t.get('h', 7), t.size]).toEqual([undefined, 0]);
    t.observe('h', 7, { image: '/bin/sh' });
    expect(t.get('h', 7)).toEqual({ image: '/bin/sh' });
  });

  it('keeps its own copy of each string, exactly (lone surrogates of JSON input included)', () => {
    const t = new ProcessTable();
    const commandLine = 'sh -c \ud800 x';
    t.set(undefined, 1, { image: '/bin/sh', commandLine });
    expect(t.get(undefined, 1)).toEqual({ image: '/bin/sh', commandLine });
  });
});
