import { describe, expect, it } from 'vitest';
import { installContext, installManager, nodeModulesPackage, shellScript } from '../../src/enrich/install-context.js';

const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const NPM_CLI = `"${NODE}" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js"`;

describe('install manager recognition', () => {
  it('recognizes install invocations of each package manager', () => {
    const cases: Array<[string | undefined, string, string | undefined]> = [
      [NODE, `${NPM_CLI} install argus-test-pkg`, 'npm'],
      [NODE, `${NPM_CLI} ci`, 'npm'],
      ['/usr/bin/node', 'npm install', 'npm'], // Linux: node is the image, argv[0] the bin name
      ['/usr/bin/node', 'node /usr/lib/node_modules/npm/bin/npm-cli.js --prefix /x i left-pad', 'npm'],
      ['/usr/local/bin/pnpm', 'pnpm add lodash', 'pnpm'],
      ['/usr/bin/node', 'node /home/u/.yarn/releases/yarn-4.1.0.cjs', 'yarn'], // bare yarn installs
      ['/usr/bin/node', 'node /usr/lib/node_modules/yarn/bin/yarn.js add x', 'yarn'],
      ['/home/u/.bun/bin/bun', 'bun install', 'bun'],
      ['/usr/bin/python3.11', 'python3 -m pip install requests', 'pip'],
      ['/usr/bin/pip3', 'pip3 install requests', 'pip'],
      ['/usr/bin/python3', '/usr/bin/python3 setup.py egg_info', 'pip'],
      ['/usr/bin/gem', 'gem install nokogiri', 'gem'],
      ['/usr/bin/bundle', 'bundle install', 'gem'],
      ['/home/u/.cargo/bin/cargo', 'cargo build --release', 'cargo'],
      ['C:\\Program Files\\dotnet\\dotnet.exe', 'dotnet restore', 'nuget'],
      // Shebang scripts as auditd and Sysmon for Linux record them: the interpreter is the image, the script argv[1].
      ['/usr/bin/python3.12', '/usr/bin/python3 /usr/bin/pip install ./argus-pip-test', 'pip'],
      ['/usr/bin/python3.12', '/usr/bin/python3 -W ignore /home/u/.venv/bin/pip3.12 install x', 'pip'],
      ['/usr/bin/ruby3.1', '/usr/bin/ruby3.1 /usr/bin/gem install evil-ext', 'gem'],
      ['/usr/bin/ruby3.1', 'ruby -I /opt/lib /usr/local/bin/bundle install', 'gem'],
      // pip.exe's launcher starts python.exe with the launcher's own path as the script.
      ['C:\\Program Files\\Python312\\python.exe', '"C:\\Program Files\\Python312\\python.exe" "C:\\Program Files\\Python312\\Scripts\\pip.exe" install x', 'pip'],
      // MSBuild imports NuGet packages' build/*.targets, from Visual Studio's worker nodes or alone.
      ['C:\\Program Files\\Microsoft Visual Studio\\2022\\Community\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe', 'MSBuild.exe /nologo /nodemode:1 /nodeReuse:true /low:false', 'nuget'],
      ['C:\\Program Files\\dotnet\\dotnet.exe', '"C:\\Program Files\\dotnet\\dotnet.exe" exec "C:\\Program Files\\dotnet\\sdk\\8.0.100\\MSBuild.dll" -nologo -nodemode:1', 'nuget'],
    ];
    for (const [image, commandLine, manager] of cases) expect([commandLine, installManager({ image, commandLine })]).toEqual([commandLine, manager]);
  });

  it('does not take every Python or node process for a package manager (seed defect 5)', () => {
    expect(installManager({ image: '/usr/bin/python3', commandLine: 'python3 app.py --pipe x' })).toBeUndefined();
    expect(installManager({ image: 'C:\\Program Files\\ManagementAgent\\ManagementAgent.exe', commandLine: 'ManagementAgent.exe' })).toBeUndefined();
    expect(installManager({ image: NODE, commandLine: `${NPM_CLI} run build` })).toBeUndefined();
    expect(installManager({ image: '/usr/bin/node', commandLine: 'node server.js' })).toBeUndefined();
    expect(installManager({ image: '/usr/bin/pip', commandLine: 'pip list' })).toBeUndefined();
    expect(installManager({ image: '/usr/bin/python3.12', commandLine: '/usr/bin/python3 /usr/bin/pip list' })).toBeUndefined();
    expect(installManager({ image: '/usr/bin/python3.12', commandLine: '/usr/bin/python3 /opt/app/pipeline.py install' })).toBeUndefined();
    expect(installManager({ image: '/usr/bin/ruby3.1', commandLine: 'ruby /opt/app/server.rb install' })).toBeUndefined();
  });
});

describe('package and phase', () => {
  it('reads the lifecycle script run by npm through cmd.exe /d /s /c in node_modules/<pkg>', () => {
    const script = { image: 'C:\\Windows\\System32\\cmd.exe', commandLine: 'C:\\Windows\\system32\\cmd.exe /d /s /c "node install.js"', cwd: 'C:\\src\\app\\node_modules\\@scope\\evil-pkg\\' };
    const npm = { image: NODE, commandLine: `${NPM_CLI} install` };
    expect(shellScript(script)).toBe('node install.js');
    expect(installContext([script, npm])).toEqual({ manager: 'npm', package: '@scope/evil-pkg', phase: 'lifecycle', role: 'install-script' });
    // Deeper in the subtree the context is inherited.
    const curl = { image: 'C:\\Windows\\System32\\curl.exe', commandLine: 'curl http://x.example/p' };
    expect(installContext([curl, script, npm])).toEqual({ manager: 'npm', package: '@scope/evil-pkg', phase: 'lifecycle', role: 'install-script' });
  });

  it("knows npm's implicit install script (node-gyp rebuild) and POSIX sh -c", () => {
    const gyp = { image: '/bin/sh', commandLine: 'sh -c node-gyp rebuild', cwd: '/app/node_modules/bcrypt' };
    expect(installContext([gyp, { image: '/usr/bin/node', commandLine: 'npm ci' }])).toEqual({ manager: 'npm', package: 'bcrypt', phase: 'install', role: 'install-script' });
  });

  it('pip builds, cargo build scripts and gem extensions', () => {
    const pip = { image: '/usr/bin/python3', commandLine: 'python3 -m pip install ./x' };
    const meta = { image: '/usr/bin/python3', commandLine: "/usr/bin/python3 /usr/lib/python3/dist-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py prepare_metadata_for_build_wheel /tmp/tmpab", cwd: '/tmp/pip-install-k2j3/evilpkg_0123456789abcdef0123456789abcdef' };
    expect(installContext([meta, pip])).toEqual({ manager: 'pip', package: 'evilpkg', phase: 'metadata', role: 'install-script' });
    const bs = { image: '/src/target/debug/build/rustdecimal-0123456789abcdef/build-script-build', commandLine: '/src/target/debug/build/rustdecimal-0123456789abcdef/build-script-build' };
    expect(installContext([bs, { image: '/usr/bin/cargo', commandLine: 'cargo build' }])).toEqual({ manager: 'cargo', package: 'rustdecimal', phase: 'build-script', role: 'install-script' });
    const legacy = { image: '/usr/bin/python3', commandLine: `/usr/bin/python3 -c "\nexec(compile('''\n# This is <pip-setuptools-caller> -- a caller that pip uses to run setup.py\n''' % ('/tmp/pip-install-k2j3/evilpkg_0123456789abcdef0123456789abcdef/setup.py',), \"<pip-setuptools-caller>\", \"exec\"))" egg_info --egg-base /tmp/pip-pip-egg-info-x1`, cwd: '/tmp/pip-install-k2j3/evilpkg_0123456789abcdef0123456789abcdef' };
    expect(installContext([legacy, pip])).toEqual({ manager: 'pip', package: 'evilpkg', phase: 'metadata', role: 'install-script' });
    const ext = { image: '/usr/bin/ruby', commandLine: 'ruby -I /usr/lib/ruby extconf.rb', cwd: '/var/lib/gems/3.1.0/gems/nokogiri-1.15.4/ext/nokogiri' };
    expect(installContext([ext, { image: '/usr/bin/gem', commandLine: 'gem install nokogiri' }])).toEqual({ manager: 'gem', package: 'nokogiri', phase: 'extension-build', role: 'install-script' });
  });

  it("role: the package manager's own helpers vs what a package's install-time code started", () => {
    const npm = { image: '/usr/bin/node', commandLine: 'node /usr/bin/npm install' };
    const git = { image: '/usr/bin/git', commandLine: 'git clone https://github.com/u/dep.git' };
    expect(installContext([npm])?.role).toBe('package-manager');
    expect(installContext([git, npm])?.role).toBe('package-manager');
    const pip = { image: '/usr/bin/python3.12', commandLine: '/usr/bin/python3 /usr/bin/pip install ./x' };
    const runner = { image: '/usr/bin/python3.12', commandLine: '/usr/bin/python3 /usr/lib/python3/dist-packages/pip/__pip-runner__.py install --prefix /tmp/o -- setuptools' };
    expect(installContext([runner, pip])).toEqual({ manager: 'pip', role: 'package-manager' });
    const hook = { image: '/usr/bin/python3.12', commandLine: '/usr/bin/python3 /usr/lib/python3/dist-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py get_requires_for_build_wheel /tmp/t', cwd: '/home/dev/x' };
    const sh = { image: '/usr/bin/dash', commandLine: 'sh -c id' };
    expect(installContext([sh, hook, pip])).toEqual({ manager: 'pip', phase: 'metadata', role: 'install-script' });
    // An MSBuild Exec task: the shell below MSBuild runs a package's (or the project's) build step.
    const msbuild = { image: 'C:\\BuildTools\\MSBuild\\Current\\Bin\\MSBuild.exe', commandLine: 'MSBuild.exe /nodemode:1' };
    const exec = { image: 'C:\\Windows\\System32\\cmd.exe', commandLine: 'cmd.exe /Q /D /C C:\\Users\\a\\AppData\\Local\\Temp\\MSBuildTemp\\tmp1.exec.cmd' };
    expect(installContext([msbuild])).toEqual({ manager: 'nuget', role: 'package-manager' });
    expect(installContext([exec, msbuild])).toEqual({ manager: 'nuget', role: 'install-script' });
  });

  it('the manager is the outermost install; nothing outside an install', () => {
    const yarn = { image: '/usr/bin/node', commandLine: 'node /usr/lib/node_modules/yarn/bin/yarn.js add x' };
    const npm = { image: '/usr/bin/node', commandLine: 'npm install' };
    expect(installContext([yarn, npm])?.manager).toBe('npm');
    expect(installContext([{ image: '/bin/bash', commandLine: 'bash -c make' }, { image: '/usr/sbin/sshd' }])).toBeUndefined();
    expect(nodeModulesPackage('/app/src')).toBeUndefined();
  });
});
