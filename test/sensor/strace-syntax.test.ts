import { describe, expect, it } from 'vitest';
import { LineJoiner, type JoinProblem } from '../../src/sensor/line-joiner.js';
import { decodeBytes, decodeString, decodeStringArray, parseCallLine, splitArgs, stringLiterals, type StraceCall } from '../../src/sensor/strace-syntax.js';

describe('strace line syntax', () => {
  it('parses pid, time, name, top-level arguments and the return value', () => {
    const call = parseCallLine('26726 1795838542.170652 execve("/usr/bin/sh", ["sh", "-c", "a, b) = 0"], 0x89b9120 /* 72 vars */) = 0') as StraceCall;
    expect(call.tid).toBe(26726);
    expect(call.time).toBe(1795838542170);
    expect(call.name).toBe('execve');
    expect(call.args).toEqual(['"/usr/bin/sh"', '["sh", "-c", "a, b) = 0"]', '0x89b9120 /* 72 vars */']);
    expect(call.ret).toBe('0');
    expect(call.errno).toBeUndefined();
  });

  it('keeps the errno of a failed call', () => {
    const call = parseCallLine('7 1.5 openat(AT_FDCWD, "/x", O_RDONLY) = -1 ENOENT (No such file or directory)') as StraceCall;
    expect(call.ret).toBe('-1');
    expect(call.errno).toBe('ENOENT');
    expect(call.time).toBe(1500);
  });

  it('ignores signal and exit lines, reports malformed ones', () => {
    expect(parseCallLine('7 1.000001 --- SIGCHLD {si_signo=SIGCHLD} ---')).toBeUndefined();
    expect(parseCallLine('7 1.000001 +++ exited with 0 +++')).toBeUndefined();
    expect(parseCallLine('garbage')).toMatch(/prefix/);
    expect(parseCallLine('7 1.0 openat(AT_FDCWD, "/x"')).toMatch(/unbalanced/);
    expect(parseCallLine('7 1.0 openat(AT_FDCWD) oops')).toMatch(/return/);
  });

  it('splits nested structs without breaking inside strings or comments', () => {
    const text = 'f(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.1")}, [{a=1}, {b="x,)"}], /* a, b */ 16)';
    expect(splitArgs(text, 2)?.args).toEqual(['3', '{sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.1")}', '[{a=1}, {b="x,)"}]', '/* a, b */ 16']);
    expect(splitArgs('f()', 2)?.args).toEqual([]);
  });

  it('decodes C escapes, octal bytes (UTF-8 arrives as octal) and marks truncation', () => {
    expect(decodeString('"a\\tb\\n\\"q\\"\\\\"')).toBe('a\tb\n"q"\\');
    expect(decodeString('"caf\\303\\251"')).toBe('café');
    expect(decodeBytes('"\\24\\205\\1\\0"')!.bytes).toEqual(Buffer.from([0x14, 0x85, 0x01, 0x00]));
    expect(decodeBytes('"\\x41\\x4a"')!.bytes.toString()).toBe('AJ');
    expect(decodeBytes('"abc"...')!.truncated).toBe(true);
    expect(decodeString('NULL')).toBeUndefined();
    expect(decodeStringArray('["node", "install.js", "--x=\\"1\\""]')).toEqual(['node', 'install.js', '--x="1"']);
    expect(decodeStringArray('["a", ...]')).toEqual(['a']);
    expect(decodeStringArray('0x1234')).toBeUndefined();
    expect(stringLiterals('[{iov_base="ab", iov_len=2}, {iov_base="c\\"d", iov_len=3}]')).toEqual(['"ab"', '"c\\"d"']);
  });
});

describe('joining <unfinished ...> and <... resumed> lines', () => {
  it('glues the two halves of a call, keeping the first line and time', () => {
    const joiner = new LineJoiner();
    const problems: JoinProblem[] = [];
    const p = (x: JoinProblem) => problems.push(x);
    expect(joiner.push('26726 1.000001 vfork( <unfinished ...>', 1, p)).toBeUndefined();
    expect(joiner.push('26727 1.000002 execve("/usr/bin/sh", ["sh", "-c", "whoami"], 0x5594 /* 72 vars */ <unfinished ...>', 2, p)).toBeUndefined();
    expect(joiner.push('26726 1.000003 <... vfork resumed>) = 26727', 3, p)).toEqual({ text: '26726 1.000001 vfork() = 26727', line: 1 });
    expect(joiner.push('26727 1.000004 <... execve resumed>) = 0', 4, p)).toEqual({
      text: '26727 1.000002 execve("/usr/bin/sh", ["sh", "-c", "whoami"], 0x5594 /* 72 vars */) = 0',
      line: 2,
    });
    expect(joiner.push('26726 1.000005 wait4(-1,  <unfinished ...>', 5, p)).toBeUndefined();
    expect(joiner.push('26726 1.000006 <... wait4 resumed>[{WIFEXITED(s)}], 0, NULL) = 26727', 6, p)!.text).toBe('26726 1.000005 wait4(-1, [{WIFEXITED(s)}], 0, NULL) = 26727');
    expect(problems).toEqual([]);
    expect(joiner.pending()).toEqual([]);
  });

  it('reports a resume without its start and a call never resumed', () => {
    const joiner = new LineJoiner();
    const problems: JoinProblem[] = [];
    const p = (x: JoinProblem) => problems.push(x);
    expect(joiner.push('9 1.0 <... openat resumed>) = 3', 7, p)).toBeUndefined();
    joiner.push('9 1.1 openat(AT_FDCWD, "/a", O_RDONLY <unfinished ...>', 8, p);
    expect(joiner.pending()).toEqual([{ line: 8, name: 'openat' }]);
    expect(problems).toEqual([{ line: 7, reason: 'openat resumed without its start' }]);
  });
});
