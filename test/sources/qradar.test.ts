import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { qradarCsvReader } from '../../src/sources/qradar-csv.js';
import { qradarJsonReader } from '../../src/sources/qradar-json.js';
import { readFixture, readWith } from './helpers.js';

describe('qradar-json', () => {
  it('maps AQL columns to Sigma names and leaves NULL columns absent', async () => {
    const { events } = await readFixture(qradarJsonReader, 'qradar-events.json');
    const [first] = events;
    expect(first).toMatchObject({
      time: 1700000000000,
      category: 'process_creation',
      product: 'windows',
      host: 'DEV-WS01',
      user: 'alice',
      source: { file: 'qradar-events.json', format: 'qradar-json', record: 0 },
    });
    expect(first.fields).toMatchObject({
      'Process Name': 'C:\\Windows\\System32\\cmd.exe',
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd.exe /c whoami',
      ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
      ParentCommandLine: 'node install.js',
      User: 'alice',
      SourceIp: '10.0.0.5',
      Computer: 'DEV-WS01',
      qidname: 'Process Create',
      magnitude: 5,
    });
    for (const key of ['destinationip', 'DestinationIp', 'URL', 'File Path', 'TargetFilename']) {
      expect(first.fields, key).not.toHaveProperty(key);
    }
  });

  it('reports non-objects and non-numeric starttime by record index, and reads on', async () => {
    const { events, bad } = await readFixture(qradarJsonReader, 'qradar-events.json');
    expect(bad.map((b) => [b.record, b.reason])).toEqual([
      [2, 'event is not a JSON object'],
      [3, 'starttime is not a number (epoch ms)'],
    ]);
    expect(events.map((e) => e.source.record)).toEqual([0, 1, 4, 5, 6]);
  });

  it('takes the QID name from QIDNAME(qid) or Event Name, matching LIKE case-sensitively', async () => {
    const { events } = await readFixture(qradarJsonReader, 'qradar-events.json');
    expect(events.map((e) => [e.fields.qidname, e.category ?? null, e.product ?? null])).toEqual([
      ['Process Create', 'process_creation', 'windows'],
      ['Sysmon Network Connect', 'network_connection', null],
      ['File Create (Sysmon)', 'file_event', null],
      ['process create', null, 'windows'], // lower case: no LIKE match; Windows from the log source type
      ['FileCreate detected', 'file_event', null],
    ]);
    expect(events[1].fields).toMatchObject({ URL: 'http://203.0.113.9/x', DestinationIp: '203.0.113.9', Image: '/usr/bin/python3' });
  });

  it('sniffs the events envelope', () => {
    expect(qradarJsonReader.sniff('{\n  "events": [\n    {"starttime": 1, "qidname": "x"}')).toBeGreaterThan(0.9);
    expect(qradarJsonReader.sniff('{"Event": {"System": {}}}')).toBe(0);
  });
});

describe('qradar-csv', () => {
  it('parses quoted commas, doubled quotes and quoted CRLF newlines; empty cells are absent', async () => {
    const { events } = await readFixture(qradarCsvReader, 'qradar-events.csv');
    expect(events).toHaveLength(3);
    const [first, second, third] = events;
    expect(first.fields.CommandLine).toBe('cmd.exe /c "echo a,b" & whoami');
    expect(first).toMatchObject({ time: 1700000000000, category: 'process_creation', product: 'windows', user: 'alice' });
    expect(first.fields).not.toHaveProperty('URL');
    expect(first.fields).not.toHaveProperty('TargetFilename');
    expect(second.fields.Command).toBe('node -e "require(http)\r\n.get()"');
    expect(second.fields).not.toHaveProperty('username');
    expect(second).not.toHaveProperty('user');
    expect(second.time).toBe(Date.UTC(2023, 10, 14, 22, 13, 21)); // date string read as UTC
    expect(second.category).toBe('network_connection');
    expect(third).toMatchObject({ category: 'file_event', fields: { TargetFilename: '/repo/.gitlab-ci.yml' } });
  });

  it('gives each record the line it starts on, and reports bad rows by line', async () => {
    const { events, bad } = await readFixture(qradarCsvReader, 'qradar-events.csv');
    expect(events.map((e) => e.source.line)).toEqual([2, 3, 7]);
    expect(bad.map((b) => [b.line, b.reason])).toEqual([
      [5, '4 cells, header has 11'],
      [6, 'starttime is not epoch ms or yyyy-MM-dd HH:mm:ss'],
    ]);
  });

  it('reports an unclosed quote and keeps the records before it', async () => {
    const csv = 'starttime,qidname\n1,Process Create\n2,"Process Create\n3,x\n';
    const { events, bad } = await readWith(qradarCsvReader, Readable.from([csv]));
    expect(events.map((e) => e.time)).toEqual([1]);
    expect(bad).toHaveLength(1);
    expect(bad[0].reason).toMatch(/Quote Not Closed/);
  });

  it('sniffs the AQL header', () => {
    expect(qradarCsvReader.sniff('starttime,qidname,devicehostname\n1,a,b\n')).toBeGreaterThan(0.8);
    expect(qradarCsvReader.sniff('time,name\n1,2\n')).toBe(0);
  });
});
