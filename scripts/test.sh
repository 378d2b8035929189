#!/usr/bin/env bash
# Compiles src/ and test/ together (which type-checks both), then runs every
# test with node's own runner. Tests use the real Nix store, skopeo, umoci,
# runc, podman and a registry: `.ci/run` installs them on a fresh machine.
#
# The tests run with TMPDIR set to a new, empty folder of their own; every
# test removes what it makes there, and the tools it runs are pointed at
# folders it removes. Whatever is left when they end fails the run, named
# with its size; the folder goes in any case, on Ctrl-C too.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf build
# Node 22 and later: tsc (and npx) would keep a compile cache in TMPDIR.
NODE_DISABLE_COMPILE_CACHE=1 npx tsc -p tsconfig.test.json

# Short and in lower case: podman takes a run root of at most 50
# characters (the tests' longest is 28 past their TMPDIR), and names an image in
# an OCI layout after its path.
base=${TMPDIR:-/tmp}
base=${base%/}
tmp=""
for _ in $(seq 20); do
  try=$(printf '%s/t%04x' "$base" $((RANDOM & 0xffff)))
  if mkdir -m 700 "$try" 2>/dev/null; then tmp=$try; break; fi
done
[ -n "$tmp" ] || { echo "test.sh: cannot make a folder in ${base:-/}" >&2; exit 1; }
trap 'rm -rf -- "$tmp"' EXIT

# As `exec` would: a signal to this script reaches the tests (Ctrl-C reaches
# the whole process group anyway); the folder is removed once they end.
signal=""
pid=""
forward() {
  signal=$1
  [ -z "$pid" ] || kill -s "$1" "$pid" 2>/dev/null || true
}
trap 'forward INT' INT
trap 'forward TERM' TERM
trap 'forward HUP' HUP

# Files, not a folder: Node 22 and later no longer take a folder.
shopt -s globstar
# <&0: standard input stays the caller's, as a background job's would not.
TMPDIR=$tmp node --test --test-reporter=spec build/test/**/*.test.js <&0 &
pid=$!
# A signal that came before the tests had started.
[ -z "$signal" ] || kill -s "$signal" "$pid" 2>/dev/null || true
status=0
# wait returns early when a trapped signal arrives: wait again until the tests end.
while :; do
  wait "$pid" && status=0 || status=$?
  kill -0 "$pid" 2>/dev/null || break
done

if [ -n "$signal" ]; then
  trap - EXIT "$signal"
  rm -rf -- "$tmp"
  # End as the signal would have ended us.
  kill -s "$signal" $$
fi

left=$(find "$tmp" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort)
if [ -n "$left" ]; then
  echo "test.sh: the tests left these in their temporary folder ($tmp):" >&2
  while IFS= read -r name; do
    printf '  %s\t%s\n' "$(du -sh -- "$tmp/$name" 2>/dev/null | cut -f1)" "$name" >&2
  done <<<"$left"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
