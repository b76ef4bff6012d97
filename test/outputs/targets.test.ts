import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseOutputTarget } from '../../src/outputs/targets.js';

const FORMATS = ['jsonl', 'leef', 'cef', 'sarif', 'hec'];
const parse = (spec: string, env: NodeJS.ProcessEnv = {}) => parseOutputTarget(spec, FORMATS, env);

describe('--output FORMAT:DESTINATION', () => {
  it('reads files, stdout and syslog URLs', () => {
    expect(parse('sarif:out/results.sarif').destination).toEqual({ kind: 'file', path: 'out/results.sarif' });
    expect(parse('jsonl:-').destination).toEqual({ kind: 'stdout' });
    expect(parse('leef:syslog+tls://siem.example:6514').destination).toEqual({ kind: 'syslog', transport: 'tls', host: 'siem.example', port: 6514 });
    expect(parse('hec:events.hec').destination).toEqual({ kind: 'file', path: 'events.hec' });
    expect(parse('cef:syslog+udp://[::1]:514').destination).toEqual({ kind: 'syslog', transport: 'udp', host: '::1', port: 514 });
  });

  it('a file name may hold a colon after the format', () => {
    expect(parse('jsonl:C:/alerts.jsonl').destination).toEqual({ kind: 'file', path: 'C:/alerts.jsonl' });
  });

  it('takes the HEC token from the environment or a file, never from the URL', () => {
    const url = 'hec:https://splunk.example:8088/services/collector/event?ack=1';
    expect(parse(url, { SUPPLYWATCH_HEC_TOKEN: 'tok' }).destination).toEqual({ kind: 'hec', url: 'https://splunk.example:8088/services/collector/event', token: 'tok', ack: true });
    const file = join(mkdtempSync(join(tmpdir(), 'sw-token-')), 'token');
    writeFileSync(file, 'from-file\n');
    expect(parse(url, { SUPPLYWATCH_HEC_TOKEN_FILE: file }).destination).toMatchObject({ token: 'from-file' });
    expect(() => parse(url)).toThrow(/SUPPLYWATCH_HEC_TOKEN/);
    expect(() => parse('hec:https://user:secret@splunk.example:8088/services/collector/event', { SUPPLYWATCH_HEC_TOKEN: 't' })).toThrow(/never go on the command line/);
  });

  it.each([
    ['sarif', /expected FORMAT:DESTINATION/],
    ['sarif:', /expected FORMAT:DESTINATION/],
    ['xml:out.xml', /unknown format 'xml'/],
    ['leef:syslog+tcp://siem.example', /HOST:PORT/],
    ['leef:syslog+tcp://siem.example:99999', /HOST:PORT/],
    ['sarif:syslog+udp://siem.example:514', /one line per alert/],
    ['jsonl:ftp://x/y', /destinations are/],
    ['jsonl:https://splunk.example:8088/services/collector/event', /takes the format 'hec'/],
  ])('%s is a one-line usage error', (spec, message) => {
    let error: unknown;
    try {
      parse(spec, { SUPPLYWATCH_HEC_TOKEN: 't' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
