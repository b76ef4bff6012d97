#!/bin/sh
# Records the live malicious corpus (eval-corpus/live/*.ndjson): runs the live tests, which install
# each reproduction from a loopback registry under `supplywatch run --rules hardened`, and keeps
# each run's events, normalised (home → /home/dev, the victim's temp folder → /tmp/sw-live-tmp).
# Needs root (the stand-in hosts on lo, the victim's resolver in a mount namespace), no network.
# Usage: npm run build && sh scripts/record-installs.live.sh
set -e
cd "$(dirname "$0")/.."
SUPPLYWATCH_LIVE_SAVE="$PWD/eval-corpus/live" npx vitest run test/live/malicious-installs.test.ts || true
ls -l eval-corpus/live/*.ndjson
