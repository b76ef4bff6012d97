/**
 * Glues calls strace splits: when another thread's call is printed while one is blocked, strace
 * writes `PID T name(args <unfinished ...>` and later `PID T2 <... name resumed>rest`. The
 * joined line keeps the start time and reads as if never split: `PID T name(args rest`.
 */

export interface JoinedLine {
  text: string;
  /** Line number (1-based) of the first piece in the strace output. */
  line: number;
}

export type JoinProblem = { line: number; reason: string };

const UNFINISHED = ' <unfinished ...>';
const RESUMED = /^(\d+) +\d+\.\d+ +<\.\.\. ([a-z_0-9?]+) resumed>(.*)$/s;
const HEAD = /^(\d+) /;

export class LineJoiner {
  /** Unfinished call per thread: a thread has at most one system call in flight. */
  private readonly open = new Map<number, { text: string; name: string; line: number }>();

  /** Feeds one output line; returns the complete line it finishes, if any. */
  push(text: string, line: number, problem: (p: JoinProblem) => void): JoinedLine | undefined {
    if (text.endsWith(UNFINISHED)) {
      const tid = HEAD.exec(text);
      const name = /^\d+ +\d+\.\d+ +([a-z_0-9?]+)\(/.exec(text);
      if (!tid || !name) {
        problem({ line, reason: 'unfinished call without PID or name' });
        return undefined;
      }
      const previous = this.open.get(Number(tid[1]));
      if (previous) problem({ line: previous.line, reason: `${previous.name}: unfinished call never resumed` });
      this.open.set(Number(tid[1]), { text: text.slice(0, -UNFINISHED.length), name: name[1]!, line });
      return undefined;
    }
    const resumed = RESUMED.exec(text);
    if (!resumed) return { text, line };
    const tid = Number(resumed[1]);
    const start = this.open.get(tid);
    if (!start || start.name !== resumed[2]) {
      problem({ line, reason: `${resumed[2]} resumed without its start` });
      return undefined;
    }
    this.open.delete(tid);
    // `wait4(-1, ` + `<... wait4 resumed>[...]`: the start already ends with its separator.
    return { text: start.text + resumed[3], line: start.line };
  }

  /** Calls still unfinished at the end (their thread was killed or the stream was cut). */
  pending(): Array<{ line: number; name: string }> {
    return [...this.open.values()].map(({ line, name }) => ({ line, name }));
  }
}
