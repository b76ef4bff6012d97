#!/bin/sh
# Stands in for a downloaded payload binary (miner, stealer, scanner): exits at once.
exit 0
