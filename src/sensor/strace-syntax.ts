/**
 * The syntax of one complete strace line (after `line-joiner.ts` has glued split calls back
 * together): `PID SECONDS.MICROS name(arg, arg, ...) = RET [ERRNO (text)]`.
 *
 * strace prints C-like text: strings in double quotes with C escapes (non-printable bytes as
 * octal, so UTF-8 arrives as octal bytes), arrays in [], structs in {}, comments in /* *\/.
 * Arguments are split at top-level commas; nothing here evaluates them beyond that.
 */

export interface StraceCall {
  /** Thread id that made the call (the first column under `strace -f`). */
  tid: number;
  /** Epoch milliseconds (from `-ttt`). */
  time: number;
  name: string;
  /** Top-level argument texts, still in strace syntax. */
  args: string[];
  /** Return value as printed: a number, `?` when unknown, or hex for pointers. */
  ret: string;
  /** `ENOENT`, `EINPROGRESS`, … when the call failed. */
  errno?: string;
}

const HEAD = /^(\d+) +(\d+)\.(\d+) +/;

/**
 * Parses `PID TIME name(args) = ret`. Returns undefined for lines that are not system calls
 * (signals, exit notices) and a string describing the problem for a malformed call.
 */
export function parseCallLine(line: string): StraceCall | string | undefined {
  const head = HEAD.exec(line);
  if (!head) return 'no "PID SECONDS.MICROS" prefix';
  const body = line.slice(head[0].length);
  if (body.startsWith('---') || body.startsWith('+++')) return undefined;
  const open = body.indexOf('(');
  if (open <= 0 || !/^[a-z_0-9?]+$/.test(body.slice(0, open))) return 'no system call name';
  const split = splitArgs(body, open + 1);
  if (!split) return 'unbalanced argument list';
  const retMatch = /^ += +(-?\d+|\?|0x[0-9a-f]+)(?: +(E[A-Z0-9]+))?/.exec(body.slice(split.end + 1));
  if (!retMatch) return 'no return value';
  const micros = head[3]!.padEnd(6, '0').slice(0, 6);
  const call: StraceCall = {
    tid: Number(head[1]),
    time: Number(head[2]) * 1000 + Math.floor(Number(micros) / 1000),
    name: body.slice(0, open),
    args: split.args,
    ret: retMatch[1]!,
  };
  if (retMatch[2]) call.errno = retMatch[2];
  return call;
}

/**
 * Splits the text from `start` (just after the opening parenthesis) into top-level arguments,
 * up to the matching closing parenthesis. Quotes, brackets, braces, parentheses and comments
 * nest; a comma at depth 0 separates arguments.
 */
export function splitArgs(text: string, start: number): { args: string[]; end: number } | undefined {
  const args: string[] = [];
  let depth = 0;
  let argStart = start;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i = skipString(text, i);
      if (i < 0) return undefined;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return undefined;
      i = close + 1;
    } else if (c === 40 || c === 91 || c === 123 /* ( [ { */) {
      depth += 1;
    } else if (c === 41 || c === 93 || c === 125 /* ) ] } */) {
      if (depth === 0) {
        if (c !== 41) return undefined;
        const last = text.slice(argStart, i).trim();
        if (last !== '' || args.length > 0) args.push(last);
        return { args, end: i };
      }
      depth -= 1;
    } else if (c === 44 /* , */ && depth === 0) {
      args.push(text.slice(argStart, i).trim());
      argStart = i + 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string opening at `i`, or -1. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) j += 1;
    else if (c === 34) return j;
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, '"': 34, '\\': 92, "'": 39, '?': 63 };

/** The raw bytes of a strace string literal (`"..."`, possibly followed by `...` when cut by -s). */
export function decodeBytes(literal: string): { bytes: Buffer; truncated: boolean } | undefined {
  if (literal.charCodeAt(0) !== 34) return undefined;
  const close = skipString(literal, 0);
  if (close < 0) return undefined;
  const out: number[] = [];
  for (let i = 1; i < close; i++) {
    const c = literal.charCodeAt(i);
    if (c !== 92) {
      // strace prints only printable ASCII unescaped.
      out.push(c & 0xff);
      continue;
    }
    const e = literal[i + 1]!;
    if (e === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(literal.slice(i + 2, i + 4))?.[0] ?? '';
      out.push(hex ? parseInt(hex, 16) : 120);
      i += 1 + hex.length;
    } else if (e >= '0' && e <= '7') {
      const oct = /^[0-7]{1,3}/.exec(literal.slice(i + 1, i + 4))![0];
      out.push(parseInt(oct, 8) & 0xff);
      i += oct.length;
    } else {
      out.push(SIMPLE_ESCAPES[e] ?? e.charCodeAt(0));
      i += 1;
    }
  }
  return { bytes: Buffer.from(out), truncated: literal.slice(close + 1).startsWith('...') };
}

/** A strace string literal as text (UTF-8); undefined when the argument is not a string (NULL, a pointer). */
export function decodeString(literal: string): string | undefined {
  const decoded = decodeBytes(literal);
  return decoded?.bytes.toString('utf8');
}

/** `["a", "b"]` → ['a', 'b']; undefined when the argument is not an array of strings. */
export function decodeStringArray(literal: string): string[] | undefined {
  if (!literal.startsWith('[')) return undefined;
  const split = splitArgs(literal.replace(/^\[/, '(').replace(/\]$/, ')'), 1);
  if (!split) return undefined;
  const out: string[] = [];
  for (const item of split.args) {
    // strace marks an array it cut short with a trailing `...`.
    if (item === '...') continue;
    const s = decodeString(item);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** Every string literal inside an argument (for buffers nested in msghdr/iovec structs). */
export function stringLiterals(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 34) continue;
    const close = skipString(text, i);
    if (close < 0) break;
    out.push(text.slice(i, close + 1));
    i = close;
  }
  return out;
}
