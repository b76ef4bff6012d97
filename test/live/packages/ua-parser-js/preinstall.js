// As in 0.7.29: pick the platform script and run it (preinstall.bat on Windows, preinstall.sh
// elsewhere). Does nothing outside the live-corpus tests.
if (process.env.SUPPLYWATCH_LIVE_CORPUS !== '1') process.exit(0);
const { spawnSync } = require('child_process');
if (process.platform !== 'win32') spawnSync('/bin/sh', ['preinstall.sh'], { stdio: 'inherit' });
