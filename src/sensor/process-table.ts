import { posix } from 'node:path';

/**
 * The traced process tree, built from clone/fork/vfork results and execve.
 *
 * strace -f prints thread ids; a thread (CLONE_THREAD) belongs to its creator's process, any
 * other clone is a new process whose parent is the creator's process (or the creator's parent
 * with CLONE_PARENT). A new process starts with a copy of its parent's image, command line and
 * working directory (fork semantics) until it calls execve.
 */
export interface ProcessInfo {
  pid: number;
  ppid?: number;
  image?: string;
  commandLine?: string;
  cwd?: string;
}

export class ProcessTable {
  private readonly processes = new Map<number, ProcessInfo>();
  /** Thread id → process id, for threads other than a process's main thread. */
  private readonly threads = new Map<number, number>();
  private readonly live = new Set<number>();

  /** The process of a thread id; undefined while the id has not been introduced by a clone. */
  processOf(tid: number): ProcessInfo | undefined {
    return this.processes.get(this.threads.get(tid) ?? tid);
  }

  get(pid: number): ProcessInfo | undefined {
    return this.processes.get(pid);
  }

  /** The command strace started: its parent is strace itself. */
  addRoot(pid: number, parent: ProcessInfo, cwd: string): ProcessInfo {
    this.processes.set(parent.pid, parent);
    return this.addProcess({ pid, ppid: parent.pid, cwd });
  }

  /** A thread whose creation was never seen (its clone line was lost): a process without a known parent. */
  addUnknown(pid: number): ProcessInfo {
    return this.addProcess({ pid });
  }

  /** A clone/fork/vfork by thread `tid` returned `child`. */
  cloned(tid: number, child: number, flags: string): ProcessInfo | undefined {
    const creator = this.processOf(tid);
    if (!creator) return undefined;
    if (/\bCLONE_THREAD\b/.test(flags)) {
      this.threads.set(child, creator.pid);
      return creator;
    }
    this.threads.delete(child);
    const ppid = /\bCLONE_PARENT\b/.test(flags) ? creator.ppid : creator.pid;
    return this.addProcess({ pid: child, ppid, image: creator.image, commandLine: creator.commandLine, cwd: creator.cwd });
  }

  /** A successful execve by thread `tid`: the whole process now runs the new image. */
  exec(tid: number, image: string, commandLine: string): ProcessInfo | undefined {
    const proc = this.processOf(tid);
    if (!proc) return undefined;
    proc.image = image;
    proc.commandLine = commandLine;
    return proc;
  }

  chdir(tid: number, path: string): void {
    const proc = this.processOf(tid);
    if (proc) proc.cwd = this.resolve(proc, path);
  }

  /** A path as the process sees it: absolute paths as they are, relative ones against its cwd. */
  resolve(proc: ProcessInfo, path: string): string {
    if (path.startsWith('/') || proc.cwd === undefined) return path;
    return posix.resolve(proc.cwd, path);
  }

  /** strace reported the process's end: its id may be reused by an unrelated process from now on. */
  exited(pid: number): void {
    this.live.delete(pid);
  }

  /** Drops an ended process entirely (the watch sensor, whose table must stay bounded). */
  forget(pid: number): void {
    this.processes.delete(pid);
    this.live.delete(pid);
  }

  /** How many processes are known. */
  get size(): number {
    return this.processes.size;
  }

  /** The process known longest, or undefined. */
  oldest(): number | undefined {
    return this.processes.keys().next().value;
  }

  /** Processes of the tree not known to have ended (what `--block` kills); strace's own excepted. */
  livePids(): number[] {
    return [...this.live];
  }

  private addProcess(info: ProcessInfo): ProcessInfo {
    // A pid seen again is a new process: it goes to the end of the eviction order, not its old place.
    this.processes.delete(info.pid);
    this.processes.set(info.pid, info);
    this.live.add(info.pid);
    return info;
  }
}
