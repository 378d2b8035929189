#!/usr/bin/env bash
# `npm run bench`: set-up (as for the tests, plus GNU time and openssl), a
# fresh compile, then bench/run.ts. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
rm -rf build
npx tsc -p tsconfig.test.json
exec node build/bench/run.js
