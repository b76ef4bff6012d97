import { describe, expect, it } from 'vitest';
import { decodeUntrusted, execveArgv, joinArgv, proctitleArgv } from '../../../src/sources/auditd/decode.js';
import type { RawFields } from '../../../src/sources/auditd/kv.js';
import { parseRecord, type AuditRecord } from '../../../src/sources/auditd/record.js';

const record = (line: string): AuditRecord => {
  const r = parseRecord(line);
  if (typeof r === 'string') throw new Error(r);
  return r;
};
const text = (r: AuditRecord, key: string) => r.fields.get(key)?.text;

describe('auditd record lines', () => {
  it('reads the header and key=values of a raw record', () => {
    const r = record('type=CWD msg=audit(1604994496.155:92733): cwd="/home/wardog"');
    expect([r.type, r.time, r.serial, r.id, r.node]).toEqual(['CWD', 1604994496155, 92733, '1604994496.155:92733', undefined]);
    expect(r.fields.get('cwd')).toEqual({ text: '/home/wardog', quoted: true });
  });

  it('takes node= as the host and keeps bare, hex and (null) values unquoted', () => {
    const r = record('node=build-7 type=SYSCALL msg=audit(1.5:9): pid=12 comm=6120620A key=(null)');
    expect([r.node, r.time, text(r, 'pid'), text(r, 'comm'), text(r, 'key')]).toEqual(['build-7', 1500, '12', '6120620A', '(null)']);
    expect(decodeUntrusted(r.fields.get('comm'))).toBe('a b\n');
    expect(decodeUntrusted(r.fields.get('key'))).toBeUndefined();
  });

  it('reads the enriched part after \\x1d', () => {
    const r = record('type=SYSCALL msg=audit(1.000:1): uid=0 auid=1000\x1dUID="root" AUID="alice" SYSCALL=execve');
    expect([text(r, 'uid'), text(r, 'UID'), text(r, 'AUID'), text(r, 'SYSCALL')]).toEqual(['0', 'root', 'alice', 'execve']);
  });

  it('flattens user-space msg=\'…\' and keeps the enriched SADDR braces as text', () => {
    const r = record(
      "type=USER_CMD msg=audit(2.000:3): pid=5 uid=1000 msg='cwd=\"/root\" cmd=6C73 terminal=pts/0 res=success'\x1dSADDR={ fam=inet laddr=10.0.0.1 lport=443 }",
    );
    expect([text(r, 'cwd'), text(r, 'cmd'), text(r, 'res'), text(r, 'SADDR')]).toEqual(['/root', '6C73', 'success', 'fam=inet laddr=10.0.0.1 lport=443']);
  });

  it('finds the record inside RFC 3164 and RFC 5424 syslog lines and takes their host', () => {
    const a = record('Nov 10 07:48:12 web-1 audispd: type=EXECVE msg=audit(1604994492.001:7): argc=1 a0="id"');
    expect([a.type, a.node, a.serial]).toEqual(['EXECVE', 'web-1', 7]);
    const b = record('<14>1 2023-01-02T03:04:05Z ci-runner audispd - - - type=CWD msg=audit(1672628645.000:8): cwd="/"');
    expect([b.type, b.node]).toEqual(['CWD', 'ci-runner']);
    const c = record('Nov  1 07:48:12 web-1 audispd: node=real-host type=EOE msg=audit(1.000:9): ');
    expect(c.node).toBe('real-host');
  });

  it('names numeric kernel types and reads AUOMS free-text cmdline up to its trailing fields', () => {
    expect(record('audit: type=1309 audit(1.000:2): argc=1 a0="id"').type).toBe('EXECVE');
    const r = record('type=AUOMS_EXECVE audit(3.000:4): pid=9 cmdline="bash -c "a|b"" redactors= containerid=');
    expect([text(r, 'cmdline'), text(r, 'pid'), text(r, 'redactors')]).toEqual(['bash -c "a|b"', '9', '']);
  });

  it('rejects lines that are not records and records cut inside a quoted value', () => {
    expect(parseRecord('hello world')).toMatch(/not an audit record/);
    expect(parseRecord('type=CWD msg=audit(99999999999999999.155:1): cwd="/"')).toBe('audit(99999999999999999.155:1): time out of range');
    expect(parseRecord('type=SYSCALL msg=audit(17000')).toMatch(/not an audit record/);
    expect(parseRecord('type=SYSCALL msg=audit(1.000:1): comm="tru')).toMatch(/truncated record: unterminated quoted value of comm/);
  });
});

describe('argument vectors', () => {
  const fields = (line: string): RawFields => record(`type=EXECVE msg=audit(1.000:1): ${line}`).fields;

  it('decodes quoted and hex arguments (the elastic/beats hex case)', () => {
    // 6563…5C22 is `echo \"arg hex encoded\"` (checked with python bytes.fromhex).
    const { argv } = execveArgv([fields('argc=3 a0="sh" a1="-c" a2=6563686F205C226172672068657820656E636F6465645C22')]);
    expect(argv).toEqual(['sh', '-c', 'echo \\"arg hex encoded\\"']);
  });

  it('joins aN[i] pieces as bytes (a UTF-8 character split between pieces) across EXECVE records', () => {
    // "aé b" = 61 C3 A9 20 62: the split falls inside é.
    const { argv, missing } = execveArgv([fields('argc=2 a0="x" a1_len=5 a1[0]=61C3'), fields('a1[1]=A92062')]);
    expect(argv).toEqual(['x', 'aé b']);
    expect(missing).toBeUndefined();
  });

  it('says what is missing when argc promises more', () => {
    expect(execveArgv([fields('argc=3 a0="ls" a1="-l"')])).toEqual({ argv: ['ls', '-l'], missing: 'EXECVE argc=3 but a2 is missing' });
    expect(execveArgv([fields('argc=1 a0_len=4 a0[0]="ab"')]).missing).toBe('EXECVE a0 has 2 of 4 bytes');
  });

  it('quotes arguments that are empty or hold whitespace, quotes or backslashes, sh style', () => {
    expect(joinArgv(['sh', '-c', 'echo "x y"'])).toBe(`sh -c 'echo "x y"'`);
    expect(joinArgv(['a|b', '', "it's", 'c:\\d', 'plain'])).toBe(`a|b '' 'it'\\''s' 'c:\\d' plain`);
  });

  it('splits PROCTITLE on NUL', () => {
    expect(proctitleArgv({ text: '67726570002D76005E3F', quoted: false })).toEqual(['grep', '-v', '^?']);
    expect(proctitleArgv({ text: 'bash', quoted: true })).toEqual(['bash']);
  });
});
