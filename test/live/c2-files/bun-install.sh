#!/bin/bash
# Stands in for https://bun.sh/install: puts a "bun" in ~/.bun/bin. This one runs the given file
# with node (the real Bun runs JavaScript itself).
# Served by the stand-in only; still, nothing outside the live-corpus tests.
[ "$SUPPLYWATCH_LIVE_CORPUS" = 1 ] || exit 0
mkdir -p "$HOME/.bun/bin"
printf '#!/bin/sh\nexec node "$@"\n' > "$HOME/.bun/bin/bun"
chmod +x "$HOME/.bun/bin/bun"
