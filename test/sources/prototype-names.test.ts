/**
 * Names that are the input's text — an audit record's type, an architecture, an ActionType, a
 * program's name, a message's label — are looked up in tables without the tables' inherited
 * members: `constructor`, `toString` and `hasOwnProperty` are no record type, no ActionType and no
 * package manager. Before, a program named `constructor` with an `install` argument threw in the
 * install context, and an audit record of type `constructor` stopped the reader for the rest of
 * its file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installContext, installManager } from '../../src/enrich/install-context.js';
import { auditdReader } from '../../src/sources/auditd.js';
import { BACKENDS, ConversionError } from '../../src/backends/index.js';
import { packageManagerOf } from '../../src/sensor/watch/package-managers.js';
import { RuleIndex, loadRulesFromText } from '../../src/sigma/index.js';
import { defenderReader } from '../../src/sources/defender.js';
import { falconReader } from '../../src/sources/falcon.js';
import { osqueryReader } from '../../src/sources/osquery.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

describe("inherited members' names in the input", () => {
  it('a program named like one is no package manager, on Linux and Windows', () => {
    for (const name of NAMES) {
      for (const image of [`/usr/bin/${name}`, `C:\\x\\${name}.exe`]) {
        expect(installManager({ image, commandLine: `${name} install x` }), image).toBeUndefined();
        expect(installContext([{ image: '/usr/bin/sh', commandLine: 'sh -c id' }, { image, commandLine: `${name} install x` }]), image).toBeUndefined();
      }
    }
  });

  it('an audit record of such a type is read as that type; the events after it are read', async () => {
    const lines = NAMES.map((name, i) => `type=${name} msg=audit(1604994496.155:${900 + i}): pid=1 uid=0`);
    const execve = [
      'type=SYSCALL msg=audit(1604994497.000:1000): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 auid=0 uid=0 exe="/usr/bin/id"',
      'type=EXECVE msg=audit(1604994497.000:1000): argc=1 a0="id"',
      'type=EOE msg=audit(1604994497.000:1000): ',
    ];
    const { events } = await readWith(auditdReader, Readable.from([[...lines, ...execve].join('\n') + '\n']), 'audit.log');
    expect(events.filter((e) => e.category === 'process_creation').map((e) => e.fields.Image)).toEqual(['/usr/bin/id']);
  });

  it('an architecture named like one in ausearch -i output stays the text it is', async () => {
    const { events } = await readWith(auditdReader, Readable.from(['type=SYSCALL msg=audit(12/07/2026 10:00:00.000:5) : arch=constructor syscall=toString success=yes exit=0 ppid=1 pid=2 exe=/bin/x\n']), 'ausearch.txt');
    expect(events.map((e) => [e.fields.arch, e.fields.syscall])).toEqual([['constructor', 'toString']]);
  });

  it('a Defender ActionType named like one is no registry event', async () => {
    const csv = `Timestamp,DeviceName,ActionType,FileName,FolderPath,InitiatingProcessFileName\n${NAMES.map((name) => `2024-01-01T00:00:00Z,h,${name},a.exe,C:\\x\\a.exe,b.exe`).join('\n')}\n`;
    const { events, bad } = await readWith(defenderReader, Readable.from([csv]), 'defender.csv');
    expect(bad).toEqual([]);
    expect(events).toHaveLength(NAMES.length);
    for (const e of events) expect(String(e.category)).not.toMatch(/^registry/);
  });

  it("a Falcon event type, platform, protocol or SID named like one, and an osquery protocol, name nothing", async () => {
    const falcon = NAMES.map((name) => JSON.stringify({ aid: 'a1', event_simpleName: name, event_platform: name, Protocol: name, UserSid: name, IntegrityLevel: name, TargetProcessId: '1' })).join('\n') + '\n';
    const fromFalcon = await readWith(falconReader, Readable.from([falcon]), 'fdr.ndjson');
    expect(fromFalcon.bad).toEqual([]);
    fromFalcon.events.forEach((e, i) => {
      expect([e.category, e.product, e.user]).toEqual([undefined, undefined, undefined]);
      // The line's own members, kept as they are (not a table's member in their place).
      expect(Object.getOwnPropertyDescriptor(e.fields, 'Protocol')?.value).toBe(NAMES[i]);
    });
    const start = JSON.stringify({ aid: 'a1', event_simpleName: 'ProcessRollup2', TargetProcessId: '1', ImageFileName: '/bin/x', IntegrityLevel: 'constructor', UserSid: 'toString' });
    const [started] = (await readWith(falconReader, Readable.from([start + '\n']), 'fdr.ndjson')).events;
    expect([started!.category, started!.user, started!.fields.IntegrityLevel]).toEqual(['process_creation', undefined, 'constructor']);
    const osquery = NAMES.map((name) => JSON.stringify({ name: 's', hostIdentifier: 'h', unixTime: 1796644800, action: 'added', columns: { eid: '1', action: 'connect', family: '2', path: '/usr/bin/curl', pid: '2', remote_address: '198.51.100.7', remote_port: '80', protocol: name } })).join('\n') + '\n';
    const fromOsquery = await readWith(osqueryReader, Readable.from([osquery]), 'osquery.log');
    for (const e of fromOsquery.events) expect(e).toMatchObject({ category: 'network_connection', fields: { DestinationIp: '198.51.100.7' } });
    for (const e of fromOsquery.events) expect(e.fields.Protocol).toBeUndefined();
  });

  it('`python -m constructor` runs no package manager (the host sensor)', () => {
    for (const name of NAMES) expect(packageManagerOf('/usr/bin/python3', ['python3', '-m', name, 'install', 'x'])).toBeUndefined();
    expect(packageManagerOf('/usr/bin/python3', ['python3', '-m', 'pip', 'install', 'x'])).toBe('pip');
  });

  it('a rule whose fields, service, category, tags and level are such names converts or is refused with a reason, never throws', () => {
    const rule = [
      'title: proto', 'logsource:', '    product: windows', '    service: constructor', '    category: toString', 'detection:', '    sel:',
      '        constructor: x', '        toString|contains: y', '        hasOwnProperty|fieldref: constructor', '    condition: sel',
      'tags:', '    - attack.constructor', 'level: constructor',
    ].join('\n');
    const { rules } = loadRulesFromText(rule, 'proto.yml');
    expect(rules).toHaveLength(1);
    for (const [name, backend] of BACKENDS) {
      try {
        expect(backend.rule(rules[0] as never, { pipeline: backend.pipelines[0]! }), name).not.toMatch(/native code|\[object|function/);
      } catch (err) {
        expect(err, name).toBeInstanceOf(ConversionError);
      }
    }
  });

  it("its alerts' ECS, SARIF, LEEF and CEF carry no table's inherited member", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-proto-'));
    const rule = ['title: proto', 'logsource:', '    product: windows', '    category: toString', 'detection:', '    sel:', '        constructor: x', '    condition: sel', 'tags:', '    - attack.constructor', 'level: constructor'].join('\n');
    writeFileSync(join(dir, 'rule.yml'), rule);
    writeFileSync(join(dir, 'events.ndjson'), JSON.stringify({ category: 'toString', product: 'windows', constructor: 'x' }) + '\n');
    const outputs = ['ecs', 'sarif', 'leef', 'cef'];
    const r = await runCli(['scan', join(dir, 'events.ndjson'), '--rules', join(dir, 'rule.yml'), '-q', ...outputs.flatMap((o) => ['-o', `${o}:${join(dir, `out.${o}`)}`])]);
    expect(r.status, r.stderr).toBe(1);
    for (const o of outputs) expect(readFileSync(join(dir, `out.${o}`), 'utf8'), o).not.toMatch(/native code|\[object /);
    const ecs = JSON.parse(readFileSync(join(dir, 'out.ecs'), 'utf8').split('\n')[0]!) as { event: Record<string, unknown>; threat?: unknown };
    expect(ecs.event).toMatchObject({ severity: 5, risk_score: 47 });
    expect(ecs.event.category).toBeUndefined();
    expect(ecs.threat).toBeUndefined();
  });

  it("rules whose logsource and selections are such names are indexed and matched like any other", () => {
    const rule = (category: string) => ['title: t', 'logsource:', '    product: windows', `    category: ${category}`, 'detection:', '    constructor:', '        toString: x', '    condition: constructor'].join('\n');
    const { rules } = loadRulesFromText(NAMES.map(rule).join('\n---\n'), 'proto.yml');
    expect(rules).toHaveLength(NAMES.length);
    const index = new RuleIndex(rules);
    for (const category of [...NAMES.map((n) => n.toLowerCase()), 'process_creation', undefined]) {
      const matched = index.match({ fields: { toString: 'x' }, source: { file: 'f', format: 't' }, product: 'windows', category });
      expect(matched.length, String(category)).toBe(category !== undefined && NAMES.map((n) => n.toLowerCase()).includes(category) ? 1 : 0);
    }
  });
});
