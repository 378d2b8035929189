#!/usr/bin/env bash
# Fails when the committed dist/ is not what the sources bundle to now.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent bundle >/dev/null
# Compare with what is staged or committed: changed, deleted or new files.
if ! git diff --quiet -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  echo "dist/ is stale: run 'npm run bundle' and commit the result" >&2
  git status --short -- dist >&2
  exit 1
fi
echo "dist/ is up to date"
