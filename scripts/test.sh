#!/usr/bin/env bash
# Compiles src/ and test/ together (which type-checks both), then runs every
# test with node's own runner. Tests use the real Nix store, skopeo, umoci
# and runc: `.ci/run` installs them on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build
npx tsc -p tsconfig.test.json
exec node --test --test-reporter=spec build/test/
