#!/usr/bin/env python3
"""Builds Lessons/benchmark/: the course's pointing-game benchmark, photos composed at known positions.

Every image is a 224×224 neutral grey board with one to three object photos pasted at seeded random
positions and sizes, never overlapping, so each object's box is exact: the rectangle it was pasted into.
Classes are ImageNet indices (the model's own), one per object kind. Images alternate JPEG (quality 90)
and PNG, so the benchmark exercises both readers. Sources and licences: Lessons/benchmark/LICENSES.md.

Needs Pillow (pip install pillow) and the scikit-image wheel (downloaded with pip, not installed):
    python3 scripts/benchmark/make_benchmark.py [--work /tmp/benchmark-work]
The output is deterministic for a given Pillow version (seeded layout; JPEG bytes may differ across
libjpeg versions, the boxes never do).
"""
import argparse
import glob
import json
import os
import random
import subprocess
import sys
import zipfile

from PIL import Image

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Lessons", "benchmark")
BOARD = 224
GREY = (124, 124, 124)
IMAGES = 32
SEED = 2018  # the RISE paper's year

# Object kinds: source file, crop in source pixels (x0, y0, x1, y1), ImageNet class. The classes are the
# pretrained EfficientNet-Lite0's top-1 on each crop alone (`tutor predict`), so the benchmark asks where
# the model sees what it would name.
KINDS = {
    "cat": ("skimage:chelsea.png", (10, 0, 340, 300), 285),          # Egyptian cat
    "espresso": ("skimage:coffee.png", (40, 0, 520, 390), 967),      # espresso
    "dog": ("lessons:dog-and-cat.png", (32, 50, 252, 398), 249),     # malamute
    "camera": ("skimage:camera.png", (180, 40, 440, 500), 872),      # tripod
    "rocket": ("skimage:rocket.jpg", (255, 60, 385, 427), 657),      # missile
}


def skimage_photo(work, name):
    wheels = glob.glob(os.path.join(work, "scikit_image-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                        "scikit-image", "-d", work], check=True)
        wheels = glob.glob(os.path.join(work, "scikit_image-*.whl"))
    path = os.path.join(work, name)
    if not os.path.exists(path):
        with zipfile.ZipFile(sorted(wheels)[-1]) as wheel:
            with open(path, "wb") as f:
                f.write(wheel.read("skimage/data/" + name))
    return path


def load_kind(work, kind):
    source, crop, _ = KINDS[kind]
    origin, name = source.split(":")
    path = skimage_photo(work, name) if origin == "skimage" else os.path.join(REPO, "Lessons", "images", name)
    return Image.open(path).convert("RGB").crop(crop)


def overlaps(a, b, gap=4):
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def layout(rng, kinds):
    """Places each kind at a random size (longer side 64–120 px) and position; retries until none overlap."""
    for _ in range(1000):
        boxes = []
        for kind, photo in kinds:
            longer = rng.randint(64, 120)
            scale = longer / max(photo.size)
            w, h = max(1, round(photo.size[0] * scale)), max(1, round(photo.size[1] * scale))
            x0, y0 = rng.randint(0, BOARD - w), rng.randint(0, BOARD - h)
            boxes.append((x0, y0, x0 + w, y0 + h))
        if all(not overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
            return boxes
    raise RuntimeError("no layout found")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/benchmark-work", help="download and scratch folder")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    photos = {kind: load_kind(args.work, kind) for kind in KINDS}
    rng = random.Random(SEED)
    names = sorted(KINDS)
    entries = []
    for index in range(IMAGES):
        # One to three different kinds per image; two most often, so a class-blind map has to choose.
        count = rng.choice([1, 2, 2, 2, 3, 3])
        chosen = rng.sample(names, count)
        boxes = layout(rng, [(kind, photos[kind]) for kind in chosen])
        board = Image.new("RGB", (BOARD, BOARD), GREY)
        objects = []
        for kind, box in zip(chosen, boxes):
            piece = photos[kind].resize((box[2] - box[0], box[3] - box[1]), Image.BICUBIC)
            board.paste(piece, box[:2])
            objects.append({"class": KINDS[kind][2], "box": list(box), "kind": kind})
        ext = "png" if index % 4 == 3 else "jpg"
        name = f"bench-{index:02d}.{ext}"
        path = os.path.join(OUT, name)
        if ext == "png":
            board.save(path, "PNG", optimize=True)
        else:
            board.save(path, "JPEG", quality=90)
        entries.append({"file": name, "objects": sorted(objects, key=lambda o: o["class"])})
    with open(os.path.join(OUT, "annotations.json"), "w") as f:
        json.dump({"images": entries}, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, e["file"])) for e in entries)
    pairs = sum(len({o["class"] for o in e["objects"]}) for e in entries)
    print(f"{len(entries)} images, {pairs} (image, class) pairs, {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
