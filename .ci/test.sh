#!/usr/bin/env bash
# The whole test suite: vitest, then one plain totals line. Exit status is vitest's.
set -uo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)/vitest.json"
npx vitest run --dir test --testTimeout=180000 --hookTimeout=180000 --reporter=default --reporter=json --outputFile.json="$out" "$@"
status=$?
node .ci/summarize-tests.mjs "$out"
exit $status
