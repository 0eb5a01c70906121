#!/usr/bin/env bash
# Builds the API reference with DocC for static hosting: symbol graphs come from the release build's modules
# (swift-symbolgraph-extract, no second build of the package), then `docc convert` writes one static site.
# Usage: scripts/build-api-docs.sh OUT_DIR   (run after `swift build -c release`)
set -euo pipefail
out=${1:?usage: build-api-docs.sh OUT_DIR}
modules_dir=$(swift build -c release --show-bin-path)/Modules
[ -d "$modules_dir" ] || { echo "error: $modules_dir not found; run 'make build' first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
triple=$(swift -print-target-info | python3 -c 'import json,sys; print(json.load(sys.stdin)["target"]["triple"])')
mkdir -p "$work/graphs"
includes=(-I "$modules_dir")
# C modules: the project's shims and ZIPFoundation's zlib (Models imports it).
for dir in Sources/CBLAS Sources/CPNG Sources/CJPEG Sources/CCmark Sources/CPNGRows/include Sources/CJPEGShim/include \
           .build/checkouts/ZIPFoundation/Sources/CZLib; do includes+=(-I "$dir"); done
for module in Engine Imaging Models Attribution Course LessonRuntime; do
    swift-symbolgraph-extract -module-name "$module" -target "$triple" "${includes[@]}" \
        -minimum-access-level public -skip-synthesized-members -output-dir "$work/graphs" >/dev/null
done
# One catalog for the whole reference: its landing page lists the modules.
mkdir -p "$work/SaliencyTutor.docc"
cp docs/api/SaliencyTutor.md "$work/SaliencyTutor.docc/SaliencyTutor.md"
rm -rf "$out"
docc convert "$work/SaliencyTutor.docc" --additional-symbol-graph-dir "$work/graphs" \
    --fallback-display-name SaliencyTutor --fallback-bundle-identifier org.saliencytutor.api \
    --transform-for-static-hosting --output-path "$out" >"$work/docc.log" 2>&1 \
    || { cat "$work/docc.log" >&2; exit 1; }
# DocC writes root-absolute addresses ("/js/…", baseUrl "/"), which only work at a host's root. Make every page
# relative to its own depth, and baseUrl the reference's folder as the browser sees it, so it works under any path.
python3 - "$out" <<'PY'
import os, sys
root = sys.argv[1]
for folder, _, files in os.walk(root):
    if "index.html" not in files:
        continue
    rel = os.path.relpath(folder, root)
    prefix = "./" if rel == "." else "../" * (rel.count(os.sep) + 1)
    path = os.path.join(folder, "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    html = html.replace('var baseUrl = "/"', 'var baseUrl = new URL("%s", location.href).pathname' % prefix)
    html = html.replace('src="/', 'src="' + prefix).replace('href="/', 'href="' + prefix)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
PY
bytes=$(find "$out" -type f -printf '%s\n' | awk '{ t += $1 } END { print t + 0 }')
echo "API reference: $out ($bytes bytes, $(( $(date +%s) - start )) s)"
