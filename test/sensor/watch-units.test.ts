import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { HostResolver } from '../../src/sensor/resolver.js';
import { InstallTrees } from '../../src/sensor/watch/install-trees.js';
import { packageManagerOf } from '../../src/sensor/watch/package-managers.js';
import { WatchProcessor } from '../../src/sensor/watch/processor.js';
import { AuditRecords, KEY } from './audit-records.js';

function watchProcessor(): WatchProcessor {
  return new WatchProcessor(KEY, { host: 'h', userOf: (u) => u }, new HostResolver(new Map()), (b) => {
    throw new Error(`bad record: ${b.reason}`);
  });
}

describe('package managers recognised from what a process runs', () => {
  it.each([
    ['/usr/bin/npm', ['npm', 'install'], 'npm'],
    ['/usr/bin/node', ['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'ci'], 'npm'],
    ['/usr/bin/node', ['node', '/usr/bin/npm', 'install'], 'npm'],
    ['/usr/bin/env', ['/usr/bin/env', 'node', '/usr/local/bin/pnpm', 'add', 'x'], 'pnpm'],
    ['/usr/local/bin/yarn', ['yarn'], 'yarn'],
    ['/root/.bun/bin/bun', ['bun', 'install'], 'bun'],
    ['/usr/bin/python3.11', ['python3', '-m', 'pip', 'install', 'x'], 'pip'],
    ['/usr/bin/pip3', ['pip3', 'install', 'x'], 'pip'],
    ['/root/.cargo/bin/uv', ['uv', 'pip', 'install', 'x'], 'uv'],
    ['/usr/bin/python3', ['python3', '/root/.local/bin/poetry', 'install'], 'poetry'],
    ['/usr/bin/ruby3.1', ['ruby', '/usr/bin/gem', 'install', 'x'], 'gem'],
    ['/usr/local/bin/bundle', ['bundle', 'install'], 'bundler'],
    ['/root/.cargo/bin/cargo', ['cargo', 'build'], 'cargo'],
    ['/usr/local/go/bin/go', ['go', 'mod', 'download'], 'go'],
    ['/usr/bin/dotnet', ['dotnet', 'restore'], 'dotnet'],
    ['/usr/bin/mono', ['mono', '/opt/nuget.exe', 'restore'], 'nuget'],
    ['/usr/bin/php8.2', ['php', '/usr/local/bin/composer', 'install'], 'composer'],
  ])('%s %j → %s', (image, argv, manager) => {
    expect(packageManagerOf(image, argv)).toBe(manager);
  });

  it.each([
    ['/usr/bin/node', ['node', 'server.js']],
    ['/usr/bin/python3', ['python3', '-c', 'print(1)']],
    ['/usr/bin/python3', ['python3', '-m', 'http.server']],
    ['/usr/bin/sh', ['sh', '-c', 'npm install']],
    ['/usr/bin/gcc', ['gcc', '-o', 'go', 'go.c']],
  ])('not %s %j', (image, argv) => {
    expect(packageManagerOf(image, argv)).toBeUndefined();
  });
});

describe('install trees by ancestry', () => {
  it('a package manager starts a tree; forks, execs and grandchildren join it; ends leave it', () => {
    const trees = new InstallTrees();
    expect(trees.started(10, 1, undefined)).toBeUndefined(); // a shell
    const tree = trees.started(11, 10, 'npm')!;
    expect(tree).toMatchObject({ root: 11, manager: 'npm' });
    trees.cloned(11, 12); // npm forks
    expect(trees.started(12, 11, undefined)).toBe(tree); // … and the child runs sh
    trees.cloned(12, 13); // a subshell that never execs
    expect(trees.started(14, 13, undefined)).toBe(tree); // its child
    expect(trees.started(15, 14, 'pip')).toBe(tree); // a manager inside a tree stays in that tree
    expect([...tree.members]).toEqual([11, 12, 13, 14, 15]);
    for (const pid of [15, 14, 13, 12, 11]) trees.exited(pid);
    expect(trees.size).toBe(0);
    expect(trees.of(12)).toBeUndefined();
    expect(trees.started(16, 10, undefined)).toBeUndefined(); // the shell is still outside
  });

  it('a pid an install child left without an exit (killed) is another process when forked again', () => {
    const trees = new InstallTrees();
    const tree = trees.started(11, 10, 'npm')!;
    trees.cloned(11, 12); // npm's child, killed later: no exit_group record
    trees.cloned(10, 12); // the shell outside forks; the kernel reuses 12
    expect(trees.started(12, 10, undefined)).toBeUndefined();
    expect([...tree.members]).toEqual([11]);
  });
});

describe('watch recognises a package manager from the argv of the exec record', () => {
  it.each([
    ['an interpreter whose path holds a space', '/opt/my tools/node', ['/opt/my tools/node', '/usr/bin/npm', 'install']],
    ['a script whose path holds a space', '/usr/bin/node', ['node', '/home/a b/npm-cli.js', 'ci']],
  ])('%s', (_, image, argv) => {
    const records = new AuditRecords();
    const processor = watchProcessor();
    const kept: NormalizedEvent[] = [];
    processor.feed(records.fork(900, 1, 1000, '/usr/bin/bash') + records.exec(1000, 900, image, argv), kept);
    processor.feed(records.fork(1000, 900, 1001, image) + records.exec(1001, 1000, '/usr/bin/sh', ['sh', '-c', 'curl x']), kept);
    processor.end(kept);
    expect(processor.trees.of(1000)).toMatchObject({ root: 1000, manager: 'npm' });
    expect(kept.map((e) => [e.fields.Image, e.fields.CommandLine])).toEqual([
      [image, argv.join(' ')],
      ['/usr/bin/sh', 'sh -c curl x'],
    ]);
    expect(processor.outside).toBe(0);
  });
});

describe('watch builds the events of install trees only', () => {
  it("drops other processes' calls before building them, and keeps the install tree's events whole", () => {
    const records = new AuditRecords();
    const processor = watchProcessor();
    const kept: NormalizedEvent[] = [];
    // A cron job and a process running since before watch started write files and connect.
    let text = records.fork(900, 1, 2000, '/usr/bin/bash') + records.exec(2000, 900, '/usr/bin/cron-job', ['cron-job']);
    for (const name of ['a.log', 'b.log', 'c.log']) text += records.writeFile(2000, 900, '/usr/bin/cron-job', `/var/log/${name}`);
    text += records.connect(2000, 900, '/usr/bin/cron-job', '10.0.0.5', 443) + records.writeFile(3000, 1, '/usr/sbin/daemon', '/var/lib/daemon/state');
    // An install beside them: npm, its postinstall shell writing a file, and curl connecting.
    text += records.fork(900, 1, 1000, '/usr/bin/bash') + records.exec(1000, 900, '/usr/bin/npm', ['npm', 'install']);
    text += records.fork(1000, 900, 1001, '/usr/bin/npm') + records.exec(1001, 1000, '/usr/bin/sh', ['sh', '-c', 'curl x > y']);
    text += records.writeFile(1001, 1000, '/usr/bin/sh', '/srv/app/y');
    text += records.fork(1001, 1000, 1002, '/usr/bin/sh') + records.exec(1002, 1001, '/usr/bin/curl', ['curl', 'x']);
    text += records.connect(1002, 1001, '/usr/bin/curl', '93.184.216.34', 80);
    text += records.exit(1002, 1001, '/usr/bin/curl') + records.exit(1001, 1000, '/usr/bin/sh') + records.exit(1000, 900, '/usr/bin/npm');
    processor.feed(text, kept);
    processor.end(kept);

    expect(processor.builder.unfollowed).toBe(5);
    expect(processor.outside).toBe(1); // the cron job's exec: it might have started a tree
    expect(processor.builder.table.get(3000)).toMatchObject({ pid: 3000, ppid: 1 });
    const base = { product: 'linux', service: 'sensor', host: 'h', user: '0' };
    const exec = { CurrentDirectory: '/srv/app', User: '0' };
    expect(kept.map(({ category, product, service, host, user, fields }) => ({ category, product, service, host, user, fields }))).toEqual([
      { ...base, category: 'process_creation', fields: { ...exec, Image: '/usr/bin/npm', CommandLine: 'npm install', ProcessId: 1000, ParentProcessId: 900 } },
      {
        ...base,
        category: 'process_creation',
        fields: { ...exec, Image: '/usr/bin/sh', CommandLine: 'sh -c curl x > y', ProcessId: 1001, ParentProcessId: 1000, ParentImage: '/usr/bin/npm', ParentCommandLine: 'npm install' },
      },
      { ...base, category: 'file_event', fields: { ProcessId: 1001, User: '0', Image: '/usr/bin/sh', TargetFilename: '/srv/app/y', Syscall: 'openat', OpenFlags: 'O_WRONLY|O_CREAT|O_TRUNC' } },
      {
        ...base,
        category: 'process_creation',
        fields: { ...exec, Image: '/usr/bin/curl', CommandLine: 'curl x', ProcessId: 1002, ParentProcessId: 1001, ParentImage: '/usr/bin/sh', ParentCommandLine: 'sh -c curl x > y' },
      },
      {
        ...base,
        category: 'network_connection',
        fields: { ProcessId: 1002, User: '0', Image: '/usr/bin/curl', DestinationIp: '93.184.216.34', DestinationPort: 80, DestinationIsIpv6: 'false', Initiated: 'true' },
      },
    ]);
  });
});
