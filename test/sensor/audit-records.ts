/**
 * Audit records as auditd's af_unix plugin writes them (x86_64), for tests that feed the audit
 * event builder a scenario of their own. Strings are written as the kernel does: in double quotes
 * when they hold no space, quote or control character, else as upper-case hex of their bytes.
 */
export const KEY = 'supplywatch-watch-0123456789';

const SYSCALLS = { connect: 42, fork: 57, execve: 59, exit_group: 231, openat: 257 } as const;

export class AuditRecords {
  private serial = 0;

  constructor(private readonly key = KEY, private time = 1_796_600_000) {}

  /** `parent` (whose parent is `grandparent`) forks `child`. */
  fork(parent: number, grandparent: number, child: number, exe: string): string {
    return this.event([this.syscall('fork', parent, grandparent, exe, `exit=${child}`)]);
  }

  /** `pid` runs `path` with `argv`, in `cwd`. */
  exec(pid: number, ppid: number, path: string, argv: readonly string[], cwd = '/srv/app'): string {
    return this.event([
      this.syscall('execve', pid, ppid, path, 'exit=0'),
      `type=EXECVE MSG argc=${argv.length} ${argv.map((a, i) => `a${i}=${untrusted(a)}`).join(' ')}`,
      `type=CWD MSG cwd=${untrusted(cwd)}`,
      `type=PATH MSG item=0 name=${untrusted(path)} nametype=NORMAL`,
    ]);
  }

  /** `pid` creates (openat O_WRONLY|O_CREAT|O_TRUNC) the file `path`. */
  writeFile(pid: number, ppid: number, exe: string, path: string): string {
    return this.event([this.syscall('openat', pid, ppid, exe, 'exit=3 a0=ffffff9c a1=1 a2=241'), 'type=CWD MSG cwd="/srv/app"', `type=PATH MSG item=0 name=${untrusted(path)} nametype=CREATE`]);
  }

  /** `pid` connects to an IPv4 address and port. */
  connect(pid: number, ppid: number, exe: string, ip: string, port: number): string {
    const saddr = Buffer.alloc(16);
    saddr.writeUInt16LE(2, 0);
    saddr.writeUInt16BE(port, 2);
    ip.split('.').forEach((octet, i) => (saddr[4 + i] = Number(octet)));
    return this.event([this.syscall('connect', pid, ppid, exe, 'exit=0'), `type=SOCKADDR MSG saddr=${saddr.toString('hex').toUpperCase()}`]);
  }

  exit(pid: number, ppid: number, exe: string): string {
    return this.event([this.syscall('exit_group', pid, ppid, exe)]);
  }

  private syscall(name: keyof typeof SYSCALLS, pid: number, ppid: number, exe: string, extra = ''): string {
    return `type=SYSCALL MSG arch=c000003e syscall=${SYSCALLS[name]} success=yes ${extra} items=0 ppid=${ppid} pid=${pid} auid=0 uid=0 gid=0 ses=3 comm="x" exe=${untrusted(exe)} key="${this.key}"`;
  }

  private event(body: string[]): string {
    this.serial += 1;
    this.time += 0.001;
    const head = `msg=audit(${this.time.toFixed(3)}:${this.serial}):`;
    return body.map((line) => line.replace('MSG', head)).join('\n') + `\ntype=EOE ${head} \n`;
  }
}

function untrusted(text: string): string {
  return /^[\x21\x23-\x7e]+$/.test(text) ? `"${text}"` : Buffer.from(text, 'utf8').toString('hex').toUpperCase();
}
