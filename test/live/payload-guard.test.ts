import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * The live corpus's payloads call the incidents' real hosts (pastebin.com, api.github.com, …):
 * only the victim's private resolver sends those names to the stand-in (test/live/c2-dns.ts).
 * So a payload run outside the harness (someone installing a package of test/live/packages by
 * hand) must do nothing: each checks the test's flag SUPPLYWATCH_LIVE_CORPUS=1 before its first
 * network call. This test holds every source file of the packages and of the second stages the
 * stand-in serves to that, reading the code (comments aside) in order.
 */
const LIVE = join(REPO, 'test', 'live');
const ROOTS = [join(LIVE, 'packages'), join(LIVE, 'c2-files')];
const CODE = new Set(['.js', '.sh', '.py', '.rs']);
// A full-line comment in any of the payloads' languages (a shebang is one too).
const COMMENT = /^\s*(\/\/|#)/;
// What reaches the network: a stand-in host placeholder, an HTTP/DNS/socket module, a download tool.
const NETWORK = /__C2(_HOST)?@|require\(\s*['"](https?|dns|net|dgram)['"]\s*\)|\bimport socket\b|\bsocket\.socket\(|TcpStream::connect|\b(curl|wget)\b/;
// `process.env.SUPPLYWATCH_LIVE_CORPUS !== '1'`, `[ "$SUPPLYWATCH_LIVE_CORPUS" = 1 ]`,
// `os.environ.get("SUPPLYWATCH_LIVE_CORPUS") != "1"`, `var("SUPPLYWATCH_LIVE_CORPUS").as_deref() == Ok("1")`.
const GUARD = /SUPPLYWATCH_LIVE_CORPUS['"]?\)?(\.as_deref\(\))?\s*(!==|===|!=|==|=)\s*(Ok\()?['"]?1\b/;

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'target' || entry.name === 'node_modules' ? [] : codeFiles(path);
    const text = readFileSync(path, 'utf8');
    return CODE.has(extname(entry.name)) || text.startsWith('#!') ? [path] : [];
  });
}

/** The code of a file without its full-line comments, one string. */
const codeOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !COMMENT.test(line))
    .join('\n');

describe('live corpus payloads do nothing outside the harness', () => {
  const files = ROOTS.flatMap(codeFiles);
  const reaching = files.filter((path) => NETWORK.test(codeOf(path)));

  it('finds the payloads that reach the network (the check below is not vacuous)', () => {
    const names = reaching.map((path) => relative(LIVE, path)).sort();
    // One per incident that calls a host, and the second stages that do.
    expect(names).toEqual(
      expect.arrayContaining([
        'c2-files/eslint-scope-stage2.js',
        'packages/coa/compile.js',
        'packages/dependency-confusion/index.js',
        'packages/eslint-scope/lib/build.js',
        'packages/flatmap-stream/index.min.js',
        'packages/node-ipc/node-ipc.js',
        'packages/nx-s1ngularity/telemetry.js',
        'packages/rustdecimal-cargo/rustdecimal/src/lib.rs',
        'packages/sha1-hulud-2/bun_environment.js',
        'packages/sha1-hulud-2/setup_bun.js',
        'packages/shai-hulud/bundle.js',
        'packages/tj-actions-changed-files/dist/index.js',
        'packages/torchtriton-pip/triton/runtime/triton',
        'packages/ua-parser-js/preinstall.sh',
        'packages/ultralytics-pip/ultralytics/utils/downloads.py',
      ]),
    );
  });

  for (const path of reaching) {
    it(`${relative(LIVE, path)} checks SUPPLYWATCH_LIVE_CORPUS=1 before its first network call`, () => {
      const code = codeOf(path);
      const network = code.search(NETWORK);
      const guard = code.search(GUARD);
      expect(guard, `no SUPPLYWATCH_LIVE_CORPUS check in ${path}`).toBeGreaterThanOrEqual(0);
      expect(guard, `the first network call comes before the check: ${code.slice(network, network + 80)}`).toBeLessThan(network);
    });
  }
});
