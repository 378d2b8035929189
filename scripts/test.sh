#!/usr/bin/env bash
# Compiles src/ and test/ together (which type-checks both), then runs every
# test with node's own runner. Tests use the real Nix store, skopeo, umoci,
# runc, podman and a registry: `.ci/run` installs them on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build
npx tsc -p tsconfig.test.json
# Files, not a folder: Node 22 and later no longer take a folder.
shopt -s globstar
exec node --test --test-reporter=spec build/test/**/*.test.js
