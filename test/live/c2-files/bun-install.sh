#!/bin/bash
# Stands in for https://bun.sh/install: puts a "bun" in ~/.bun/bin. This one runs the given file
# with node (the real Bun runs JavaScript itself).
mkdir -p "$HOME/.bun/bin"
printf '#!/bin/sh\nexec node "$@"\n' > "$HOME/.bun/bin/bun"
chmod +x "$HOME/.bun/bin/bun"
