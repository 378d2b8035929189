#!/usr/bin/env bash
# A real build from start to finish: installs what it needs, builds a small
# Nix closure (a static busybox, some libraries and an app script), turns it
# into a layered image, prints the layers, and runs the image with runc.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[ -f dist/cli.js ] || npm run bundle

out=demo-out
rm -rf "$out" && mkdir -p "$out"
app=$(nix-build test/support/closure.nix -A app --no-out-link --option sandbox false --quiet)
echo "demo: closure of $app has $(nix-store -qR "$app" | wc -l) store paths" >&2

node dist/cli.js build --name demo/app --contents "$app" \
  --config '{"Cmd":["/bin/app"],"Env":["LANG=C.UTF-8"]}' \
  --max-layers 20 --output "$out/demo.tar"

echo "demo: running the image's Cmd with runc" >&2
skopeo copy --quiet "docker-archive:$out/demo.tar" "oci:$out/oci:latest"
umoci unpack --image "$out/oci:latest" "$out/bundle" >/dev/null
sed -i 's/"terminal": *true/"terminal": false/' "$out/bundle/config.json"
(cd "$out/bundle" && runc run "layered-image-demo-$$")
