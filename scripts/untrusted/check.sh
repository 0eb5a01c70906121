#!/usr/bin/env bash
# Issue 12's acceptance run: every crafted file through the real `tutor`, with its exit code, peak memory
# (/usr/bin/time -v, maximum resident set size) and first error line. Expect exit 2 and a one-line message
# naming the file for every crafted file, a normal result for the valid 7000×7000 photo, and peak memory
# far below 1.5 GB everywhere. Usage: scripts/untrusted/check.sh [folder]   (after `make build`)
set -u
cd "$(dirname "$0")/../.."
tutor=.build/release/tutor
folder=${1:-Output/crafted}
python3 scripts/untrusted/make_crafted.py "$folder"

run() {  # label, tutor arguments…
    local label=$1; shift
    local log; log=$(mktemp)
    /usr/bin/time -v "$tutor" "$@" >/dev/null 2>"$log"
    local status=$?
    local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print int($2 / 1024)}' "$log")
    local message; message=$(grep -m1 -E 'error|Fatal|Stack dump|Command terminated' "$log" | cut -c1-150)
    printf '%-34s exit %-3s %5s MB  %s\n' "$label" "$status" "$rss" "$message"
    rm -f "$log"
}

for f in "$folder"/*.pth "$folder"/*.safetensors; do
    run "$(basename "$f")" predict --model resnet18 --weights "$f" --image Lessons/images/cat.png
done
run npy-shape-overflow.npy saliency --model efficientnet-lite0 --input "$folder/npy-shape-overflow.npy" \
    --method gradient --target 1 --out "$folder/map.npy"
for f in "$folder"/png-*.png; do
    run "$(basename "$f")" predict --model efficientnet-lite0 --image "$f"
done
run "saliency png-1000000-square.png" saliency --model efficientnet-lite0 --image "$folder/png-1000000-square.png" \
    --method gradient --target 1 --out "$folder/map.png"
for f in "$folder"/lesson-*.md; do
    run "$(basename "$f")" run "$f" --output "$folder/out"
done
