"""Same-run PyTorch + TorchRay baseline for BENCHMARKS.md: RISE and extremal perturbation on EfficientNet-Lite0.

Run from the repository root with the fixture stack (scripts/fixtures/README.md):
    scripts/.venv/bin/python scripts/bench/torchray_perturbation.py [--num-masks 500] [--max-iter 50] [--repeat 3]
Prints one JSON object per measurement: median wall seconds over --repeat calls after one warm-up, and the
process's peak RSS. 2 threads, the bench input of `tutor bench` (a smooth deterministic 1x3x224x224 tensor).
"""

import argparse
import json
import math
import resource
import sys
import time
import types
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
try:
    import matplotlib.pyplot  # noqa: F401
except ImportError:  # TorchRay imports it for debug plots only
    sys.modules["matplotlib"] = types.ModuleType("matplotlib")
    sys.modules["matplotlib.pyplot"] = types.ModuleType("matplotlib.pyplot")
    sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]

from common import make_lite0  # noqa: E402
from torchray.attribution.extremal_perturbation import extremal_perturbation  # noqa: E402
from torchray.attribution.rise import rise  # noqa: E402


def bench_input(h=224, w=224):
    """The same input as `tutor bench` (BenchInput.make): 2·sin(0.05·x·(c+1) + 0.031·y)."""
    x = np.zeros((1, 3, h, w), dtype=np.float32)
    for c in range(3):
        for y in range(h):
            x[0, c, y] = 2 * np.sin(np.arange(w, dtype=np.float32) * (c + 1) * np.float32(0.05) + np.float32(y) * np.float32(0.031))
    return torch.from_numpy(x)


def timed(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--num-masks", type=int, default=500)
    ap.add_argument("--max-iter", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = make_lite0()
    x = bench_input()
    with torch.no_grad():
        median, times = timed(lambda: rise(model, x, num_masks=args.num_masks), args.repeat)
    print(json.dumps({"impl": f"torch {torch.__version__} + torchray", "method": "rise", "num_masks": args.num_masks,
                      "median_s": round(median, 3), "times_s": [round(t, 3) for t in times],
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "threads": args.threads}), flush=True)
    median, times = timed(lambda: extremal_perturbation(model, x, 281, areas=[0.1], max_iter=args.max_iter), args.repeat)
    print(json.dumps({"impl": f"torch {torch.__version__} + torchray", "method": "extremal-perturbation",
                      "max_iter": args.max_iter, "median_s": round(median, 3), "times_s": [round(t, 3) for t in times],
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "threads": args.threads}), flush=True)


if __name__ == "__main__":
    main()
