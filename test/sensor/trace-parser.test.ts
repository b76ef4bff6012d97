import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { HostResolver, parseHosts } from '../../src/sensor/resolver.js';
import { TraceParser } from '../../src/sensor/trace-parser.js';

/** A DNS query message as a resolver sends it. */
function dnsQuery(name: string, qtype: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([0x14, 0x85, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, qtype, 0, 1])]);
}

/** Bytes as strace prints them: printable ASCII as is, the rest as octal escapes. */
function straceString(buf: Buffer): string {
  let out = '"';
  for (const b of buf) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8)}`;
  }
  return out + '"';
}

const A = straceString(dnsQuery('registry.npmjs.org', 1));
const AAAA = straceString(dnsQuery('registry.npmjs.org', 28));

/** An npm install as strace -f prints it, with the interleavings real runs show. */
const TRACE = [
  '100 1.000000 execve("/usr/bin/npm", ["npm", "install"], 0x7ffe /* 35 vars */) = 0',
  '100 1.000100 execve("/root/.cargo/bin/node", ["node", "/usr/bin/npm", "install"], 0x7ffd /* 35 vars */) = -1 ENOENT (No such file or directory)',
  '100 1.000200 execve("/usr/bin/node", ["node", "/usr/bin/npm", "install"], 0x7ffd /* 35 vars */) = 0',
  '100 1.001000 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7ffe80, tls=0x7f} => {parent_tid=[101]}, 88) = 101',
  '101 1.002000 connect(20, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0',
  `101 1.002100 sendmmsg(20, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=${A}, iov_len=36}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=36}, {msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=${AAAA}, iov_len=36}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=36}], 2, MSG_NOSIGNAL) = 2`,
  '100 1.003000 connect(21, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("104.16.0.35")}, 16) = -1 EINPROGRESS (Operation now in progress)',
  '100 1.004000 connect(22, {sa_family=AF_INET6, sin6_port=htons(4873), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
  '100 1.004500 connect(23, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
  '101 1.005000 openat(AT_FDCWD, "node_modules/x/package.json", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 23',
  // The child runs before its parent's clone returns.
  '102 1.005500 chdir("/proj/node_modules/x") = 0',
  '102 1.005600 execve("/proj/node_modules/.bin/sh", ["sh", "-c", "node install.js"], 0x89 /* 72 vars */) = -1 ENOENT (No such file or directory)',
  '102 1.005700 execve("/usr/bin/sh", ["sh", "-c", "node install.js"], 0x89 /* 72 vars */) = 0',
  '100 1.006000 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 102',
  '102 1.007000 vfork( <unfinished ...>',
  '103 1.007100 execve("/usr/bin/node", ["node", "install.js"], 0x55 /* 72 vars */ <unfinished ...>',
  '102 1.007200 <... vfork resumed>) = 103',
  '103 1.007300 <... execve resumed>) = 0',
  '103 1.008000 openat(AT_FDCWD, "bin/esbuild", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0755) = 3',
  '103 1.008100 openat(AT_FDCWD, "lib/main.js", O_RDONLY|O_CLOEXEC) = 4',
  '103 1.008200 rename("bin/esbuild.tmp", "/proj/node_modules/x/bin/esbuild2") = 0',
  '103 1.008300 openat(AT_FDCWD, "/dev/null", O_WRONLY) = 5',
  '103 1.008400 renameat2(AT_FDCWD, "a", 7, "b", RENAME_NOREPLACE) = 0',
  'this is garbage',
  '103 1.009000 +++ exited with 0 +++',
  '102 1.009100 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=103, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
  '102 1.009200 +++ exited with 0 +++',
  '100 1.010000 +++ exited with 3 +++',
].join('\n');

function parse(text: string, chunk = 7) {
  const bad: BadRecord[] = [];
  const strace = { pid: 1, image: '/usr/bin/strace', commandLine: 'strace -f -- npm install' };
  const parser = new TraceParser({ host: 'h', user: 'u', cwd: '/proj', strace }, new HostResolver(parseHosts('127.0.0.1 localhost\n::1 localhost ip6-localhost\n')), (b) => bad.push(b));
  const events: NormalizedEvent[] = [];
  // Arbitrary chunk boundaries, as a FIFO delivers them.
  for (let i = 0; i < text.length; i += chunk) parser.feed(text.slice(i, i + chunk), events);
  parser.end(events);
  return { events, bad, parser };
}

describe('strace output → normalized events', () => {
  const { events, bad, parser } = parse(TRACE);
  const f = (e: NormalizedEvent) => e.fields;

  it('builds the process tree with real parents, ignoring failed PATH-search execs', () => {
    const procs = events.filter((e) => e.category === 'process_creation').map(f);
    expect(procs.map((p) => p.CommandLine)).toEqual(['npm install', 'node /usr/bin/npm install', 'sh -c node install.js', 'node install.js']);
    expect(procs[0]).toMatchObject({ Image: '/usr/bin/npm', ProcessId: 100, ParentProcessId: 1, ParentImage: '/usr/bin/strace', CurrentDirectory: '/proj', User: 'u' });
    expect(procs[2]).toMatchObject({ Image: '/usr/bin/sh', ProcessId: 102, ParentProcessId: 100, ParentImage: '/usr/bin/node', ParentCommandLine: 'node /usr/bin/npm install', CurrentDirectory: '/proj/node_modules/x' });
    expect(procs[3]).toMatchObject({ Image: '/usr/bin/node', ProcessId: 103, ParentProcessId: 102, ParentImage: '/usr/bin/sh', ParentCommandLine: 'sh -c node install.js', CurrentDirectory: '/proj/node_modules/x' });
    expect(parser.builder.counts.failedExecs).toBe(2);
    const first = events[0]!;
    expect(first).toMatchObject({ product: 'linux', service: 'sensor', host: 'h', user: 'u', time: 1000, source: { file: 'strace', format: 'strace', line: 1 } });
  });

  it('attributes a thread (CLONE_THREAD) to its process, not a new one', () => {
    const write = events.find((e) => e.fields.TargetFilename === '/proj/node_modules/x/package.json')!;
    expect(write.fields).toMatchObject({ ProcessId: 100, Image: '/usr/bin/node', Syscall: 'openat', OpenFlags: 'O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC' });
    expect(events.some((e) => e.category === 'process_creation' && e.fields.ProcessId === 101)).toBe(false);
  });

  it('decodes the DNS query and names the connection that follows it; /etc/hosts as reverse map', () => {
    const dns = events.filter((e) => e.category === 'dns_query').map(f);
    expect(dns).toEqual([{ ProcessId: 100, User: 'u', Image: '/usr/bin/node', QueryName: 'registry.npmjs.org', QueryType: 'A' }]);
    const net = events.filter((e) => e.category === 'network_connection').map(f);
    expect(net.map((n) => [n.DestinationIp, n.DestinationPort, n.DestinationHostname, n.DestinationHostnameSource])).toEqual([
      ['10.0.0.53', 53, undefined, undefined],
      ['104.16.0.35', 443, 'registry.npmjs.org', 'dns'],
      ['::1', 4873, 'localhost', 'hosts'],
    ]);
    expect(net[2]).toMatchObject({ DestinationIsIpv6: 'true', Initiated: 'true', Image: '/usr/bin/node' });
  });

  it('resolves file paths against the writing process cwd; read-only opens and /dev are not file events', () => {
    const files = events.filter((e) => e.category === 'file_event').map(f);
    expect(files.map((x) => [x.TargetFilename, x.SourceFilename, x.Syscall])).toEqual([
      ['/proj/node_modules/x/package.json', undefined, 'openat'],
      ['/proj/node_modules/x/bin/esbuild', undefined, 'openat'],
      ['/proj/node_modules/x/bin/esbuild2', '/proj/node_modules/x/bin/esbuild.tmp', 'rename'],
      // Relative to a directory descriptor strace does not name: kept as written.
      ['b', '/proj/node_modules/x/a', 'renameat2'],
    ]);
    expect(parser.builder.counts.pseudoFiles).toBe(1);
  });

  it('reports the garbage line with its line number and reads on; knows how the command ended', () => {
    expect(bad).toEqual([{ file: 'strace', format: 'strace', line: 24, reason: 'no "PID SECONDS.MICROS" prefix' }]);
    expect(parser.rootExit).toEqual({ code: 3 });
    expect(parser.builder.table.livePids()).toEqual([]);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const whole = parse(TRACE, TRACE.length).events;
    expect(parse(TRACE, 1).events).toEqual(whole);
    expect(whole).toEqual(events);
  });

  it('adopts a thread whose creation was never seen, and reports a call cut by the end of the stream', () => {
    const { events: ev, bad: problems, parser: p } = parse(
      [
        '10 1.0 execve("/bin/true", ["true"], 0x1 /* 1 vars */) = 0',
        '77 1.1 openat(AT_FDCWD, "/tmp/orphan", O_WRONLY|O_CREAT, 0644) = 3',
        '10 1.2 openat(AT_FDCWD, "/tmp/x", O_RDONLY <unfinished ...>',
        '10 1.3 +++ killed by SIGKILL +++',
      ].join('\n'),
    );
    const orphan = ev.find((e) => e.fields.TargetFilename === '/tmp/orphan')!;
    expect(orphan.fields.ProcessId).toBe(77);
    expect(orphan.fields.Image).toBeUndefined();
    expect(p.builder.counts.orphanCalls).toBe(1);
    expect(problems.map((b) => [b.line, b.reason])).toEqual([[3, 'openat: call never finished (thread ended inside it)']]);
    expect(p.rootExit).toEqual({ signal: 'SIGKILL' });
  });

  it('drops set_robust_list (traced only to make strace cheap): no event, no call counted, no thread held or adopted', () => {
    const { events: ev, bad: problems, parser: p } = parse(
      [
        '10 1.0 execve("/usr/bin/node", ["node", "x.js"], 0x1 /* 1 vars */) = 0',
        // A new thread's first call, printed before its creator's clone returns.
        '11 1.1 set_robust_list(0x7f5d2c5ff9a0, 24) = 0',
        '10 1.2 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0, stack=0x7f, stack_size=0x7ffe80, tls=0x7f} => {parent_tid=[11]}, 88) = 11',
        // A thread that exits before its creation is printed: its only call is dropped, so it is never adopted.
        '12 1.3 set_robust_list(0x7f5d2bdfe9a0, 24) = 0',
        '11 1.4 openat(AT_FDCWD, "/tmp/out", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3',
        '10 1.5 +++ exited with 0 +++',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(ev.map((e) => [e.category, e.fields.ProcessId])).toEqual([
      ['process_creation', 10],
      ['file_event', 10],
    ]);
    expect(p.builder.counts).toMatchObject({ calls: 3, orphanCalls: 0 });
  });
});
