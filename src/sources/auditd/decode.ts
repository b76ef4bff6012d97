/**
 * Decoding of the kernel's "untrusted string" encoding and of EXECVE/PROCTITLE argument vectors.
 *
 * The kernel writes a user-controlled string (exe, comm, cwd, PATH name, EXECVE args, proctitle,
 * key) either in double quotes, when it holds no space, quote or control character, or as
 * upper-case hex of its bytes. So an unquoted value of such a field is hex; `(null)` and
 * `(none)` mean absent.
 */
import type { RawFields, RawValue } from './kv.js';

const HEX = /^(?:[0-9A-Fa-f]{2})+$/;

export function decodeUntrusted(value: RawValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.quoted) return value.text;
  if (value.text === '(null)' || value.text === '(none)') return undefined;
  return HEX.test(value.text) ? Buffer.from(value.text, 'hex').toString('utf8') : value.text;
}

/**
 * Joins argv into one command line. An argument is wrapped in POSIX-shell single quotes when it
 * is empty or contains whitespace, `'`, `"` or `\`; inside, `'` is written `'\''`. Splitting the
 * result with sh word rules gives argv back (other shell metacharacters, `| ; & $ * …`, are left
 * bare: they do not split words, and Sigma rules match them as written by Sysmon for Linux, which
 * joins with plain spaces). Example: argv `sh`, `-c`, `echo "x y"` → `sh -c 'echo "x y"'`.
 */
export function joinArgv(argv: readonly string[]): string {
  let out = '';
  for (let i = 0; i < argv.length; i++) {
    if (i > 0) out += ' ';
    out += quoteArg(argv[i]!);
  }
  return out;
}

const NEEDS_QUOTES = /[\s'"\\]/;

function quoteArg(arg: string): string {
  if (arg !== '' && !NEEDS_QUOTES.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

export interface Argv {
  argv: string[];
  /** Set when argc promised arguments (or pieces of one) that no record carried. */
  missing?: string;
}

/**
 * The argument vector of an event's EXECVE records (the kernel splits a long argv over several
 * records of the same event). A short argument is `aN="…"` or `aN=HEX`; a long one is announced by
 * `aN_len=BYTES` and written in pieces `aN[0]=…`, `aN[1]=…`, each quoted or hex on its own.
 */
export function execveArgv(records: readonly RawFields[]): Argv {
  const merged: RawFields = new Map();
  for (const fields of records) for (const [k, v] of fields) merged.set(k, v);
  const argc = Number(merged.get('argc')?.text ?? NaN);
  const argv: string[] = [];
  const count = Number.isInteger(argc) && argc >= 0 ? argc : countArgs(merged);
  let missing: string | undefined;
  for (let n = 0; n < count; n++) {
    const whole = merged.get(`a${n}`);
    if (whole !== undefined) {
      argv.push(decodeUntrusted(whole) ?? '');
      continue;
    }
    if (merged.has(`a${n}_len`)) {
      const pieces: Buffer[] = [];
      for (let p = 0; ; p++) {
        const piece = merged.get(`a${n}[${p}]`);
        if (piece === undefined) break;
        pieces.push(Buffer.from(piece.text, piece.quoted ? 'utf8' : 'hex'));
      }
      // Pieces split bytes, not characters: join them as bytes, then decode UTF-8 once.
      const bytes = Buffer.concat(pieces);
      const expected = Number(merged.get(`a${n}_len`)!.text);
      if (bytes.length < expected) missing ??= `EXECVE a${n} has ${bytes.length} of ${expected} bytes`;
      const arg = bytes.toString('utf8');
      argv.push(arg);
      continue;
    }
    missing ??= `EXECVE argc=${count} but a${n} is missing`;
    break;
  }
  return missing === undefined ? { argv } : { argv, missing };
}

function countArgs(fields: RawFields): number {
  let n = 0;
  while (fields.has(`a${n}`) || fields.has(`a${n}_len`)) n++;
  return n;
}

/** PROCTITLE: argv as hex with NUL separators (or quoted when it is one plain word). */
export function proctitleArgv(value: RawValue | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value.quoted || !HEX.test(value.text)) return [value.text];
  const parts = Buffer.from(value.text, 'hex').toString('utf8').split('\0');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
