#!/usr/bin/env bash
# One run of the perturbation benchmarks of BENCHMARKS.md: ours (tutor bench) then PyTorch + TorchRay, 2 threads.
# Usage: scripts/bench/perturbation.sh [repeat]   (from the repository root; needs scripts/.venv, see scripts/fixtures/README.md)
set -euo pipefail
repeat=${1:-3}
tutor=.build/release/tutor
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(swift --version 2>&1 | head -1)"
$tutor bench --model efficientnet-lite0 --method rise --num-masks 500 --threads 2 --repeat "$repeat"
$tutor bench --model efficientnet-lite0 --method rise --num-masks 64 --threads 2 --repeat 1
$tutor bench --model efficientnet-lite0 --method rise-class --num-masks 500 --threads 2 --repeat "$repeat"
$tutor bench --model efficientnet-lite0 --method extremal-perturbation --max-iter 50 --threads 2 --repeat "$repeat"
scripts/.venv/bin/python scripts/bench/torchray_perturbation.py --num-masks 500 --max-iter 50 --repeat "$repeat" --threads 2
echo "# done $(date -u '+%H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg)"
