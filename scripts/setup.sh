#!/usr/bin/env bash
# Installs everything layered-image's demo and tests need on a fresh Debian
# or Ubuntu machine: Nix (to build closures), skopeo, umoci and runc (to check
# images as real consumers do), a static busybox (for the test closure),
# podman (to load and run the archive as `docker load` would), sqlite3 (for
# includeNixDB's registration times), a registry (the CNCF distribution
# registry, Debian's docker-registry) with htpasswd from apache2-utils for
# the push tests, jq (ci.yml's checks read the Action's JSON outputs with it,
# and test/action/ci-jobs runs them here), xz, bzip2 and zstd (a binary
# cache's NARs come compressed with them), and the npm dependencies. Safe to
# run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for cmd in nix-build:nix-bin skopeo:skopeo umoci:umoci runc:runc podman:podman busybox:busybox-static sqlite3:sqlite3 docker-registry:docker-registry htpasswd:apache2-utils jq:jq xz:xz-utils bzip2:bzip2 zstd:zstd; do
  command -v "${cmd%%:*}" >/dev/null 2>&1 || need+=("${cmd#*:}")
done
# The test closure copies a static busybox; a dynamic one would not run in an image.
if command -v busybox >/dev/null 2>&1 && ldd "$(command -v busybox)" >/dev/null 2>&1; then
  need+=(busybox-static)
fi
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
