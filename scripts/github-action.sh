#!/usr/bin/env bash
# The action's step (action.yml): runs the install under `supplywatch run`, annotations on
# stdout (the runner reads them there), the Markdown summary appended to $GITHUB_STEP_SUMMARY,
# SARIF to $SUPPLYWATCH_SARIF; alerts and the SARIF path go to $GITHUB_OUTPUT.
# test/outputs/action.test.ts runs it with a faked GitHub environment.
set -uo pipefail

: "${SUPPLYWATCH_INSTALL:?the install command (input 'install') is empty}"
: "${GITHUB_STEP_SUMMARY:?not running in GitHub Actions: GITHUB_STEP_SUMMARY is unset}"
: "${GITHUB_OUTPUT:?not running in GitHub Actions: GITHUB_OUTPUT is unset}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# SUPPLYWATCH_BIN: another build of the command (the tests point it at theirs).
read -r -a supplywatch <<< "${SUPPLYWATCH_BIN:-node $here/dist/bin/supplywatch.js}"
sarif="${SUPPLYWATCH_SARIF:-supplywatch.sarif}"

args=(run --output "github:-" --output "sarif:$sarif")
summary="$(mktemp)"
trap 'rm -f "$summary"' EXIT
args+=(--output "summary:$summary")
for pack in ${SUPPLYWATCH_RULES:-seed}; do args+=(--rules "$pack"); done
if [ -n "${SUPPLYWATCH_CONFIG:-}" ]; then args+=(--config "$SUPPLYWATCH_CONFIG"); fi

"${supplywatch[@]}" "${args[@]}" -- bash -c "$SUPPLYWATCH_INSTALL"
status=$?

# The job summary file is shared by every step: append, never overwrite.
cat "$summary" >> "$GITHUB_STEP_SUMMARY"
alerts=0
if [ -s "$sarif" ]; then
  alerts="$(node -e 'const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(l.runs[0].results.length)' "$sarif")"
  echo "sarif=$sarif" >> "$GITHUB_OUTPUT"
fi
echo "alerts=$alerts" >> "$GITHUB_OUTPUT"

# run's status: 0 clean, 1 alerts, 2 supplywatch failed, else the install's own failure.
if [ "$status" -eq 1 ] && [ "${SUPPLYWATCH_FAIL_ON_ALERT:-true}" != "true" ]; then exit 0; fi
exit "$status"
