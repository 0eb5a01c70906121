"""Same-run PyTorch + TorchRay baseline for `tutor bench --method excitation-backprop|contrastive-excitation-backprop`.

Times TorchRay 1.0.0.2's excitation_backprop / contrastive_excitation_backprop on a 1x3x224x224 input with the
layers `tutor bench` uses (VGG16 features.23 / classifier.4, ResNet50 layer3 / avgpool with update_resnet,
Lite0 _blocks.10 / _bn1), after one warm-up call; prints one JSON line per configuration with the median ms.
Run from scripts/fixtures' directory layout: PYTHONPATH=scripts/fixtures python scripts/bench/torchray_excitation.py
"""
import json
import statistics
import sys
import time

import torch

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/fixtures")
from make_excitation import prepared  # noqa: E402
from torchray.attribution.excitation_backprop import contrastive_excitation_backprop, excitation_backprop  # noqa: E402

LAYERS = {"vgg16": ("features.23", "classifier.4"), "resnet50": ("layer3", "avgpool"),
          "efficientnet-lite0": ("_blocks.10", "_bn1")}


def main(threads=2, repeat=5, archs=("efficientnet-lite0", "resnet50", "vgg16")):
    torch.set_num_threads(threads)
    for arch in archs:
        model = prepared(arch)
        x = torch.randn(1, 3, 224, 224)
        layer, contrast = LAYERS[arch]
        calls = {
            "excitation-backprop": lambda: excitation_backprop(model, x.clone(), 281, saliency_layer=layer),
            "contrastive-excitation-backprop": lambda: contrastive_excitation_backprop(
                model, x.clone(), 281, saliency_layer=layer, contrast_layer=contrast),
        }
        for method, call in calls.items():
            call()
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                call()
                times.append((time.perf_counter() - start) * 1e3)
            print(json.dumps({"model": arch, "method": method, "median_ms": round(statistics.median(times), 2),
                              "torch": torch.__version__, "threads": threads}), flush=True)


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:3]])
