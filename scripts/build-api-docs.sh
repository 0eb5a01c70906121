#!/usr/bin/env bash
# Extracts the symbol graphs of the modules a lesson program sees from the release build (swift-symbolgraph-extract,
# no second build of the package); `tutor site --api OUT_DIR` renders them as the site's API reference.
# Usage: scripts/build-api-docs.sh OUT_DIR   (run after `swift build -c release`)
set -euo pipefail
out=${1:?usage: build-api-docs.sh OUT_DIR}
modules_dir=$(swift build -c release --show-bin-path)/Modules
[ -d "$modules_dir" ] || { echo "error: $modules_dir not found; run 'make build' first" >&2; exit 2; }
start=$(date +%s)
triple=$(swift -print-target-info | python3 -c 'import json,sys; print(json.load(sys.stdin)["target"]["triple"])')
rm -rf "$out"
mkdir -p "$out"
includes=(-I "$modules_dir")
# C modules: the project's shims and ZIPFoundation's zlib (Models imports it). Their symbols are not documented.
for dir in Sources/CBLAS Sources/CPNG Sources/CJPEG Sources/CCmark Sources/CPNGRows/include Sources/CJPEGShim/include \
           .build/checkouts/ZIPFoundation/Sources/CZLib; do includes+=(-I "$dir"); done
for module in Engine Imaging Models Attribution Course LessonRuntime; do
    swift-symbolgraph-extract -module-name "$module" -target "$triple" "${includes[@]}" \
        -minimum-access-level public -skip-synthesized-members -output-dir "$out" >/dev/null
done
bytes=$(find "$out" -type f -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }')
echo "API symbol graphs: $out ($(ls "$out" | wc -l) files, $bytes bytes, $(( $(date +%s) - start )) s)"
