#!/usr/bin/env bash
# The one command that runs the whole test suite on a fresh machine:
# set-up, lint, the tests (which type-check everything), then the check that
# the committed dist/ is current.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent lint
npm test
bash scripts/check-dist.sh
