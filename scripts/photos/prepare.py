#!/usr/bin/env python3
"""Rebuilds Lessons/images/ from photos that Debian and PyPI packages ship under free licences.

Sources (see Lessons/images/LICENSES.md):
  * scikit-image wheel from PyPI: skimage/data/chelsea.png (cat) and skimage/data/coffee.png, both CC0.
  * Debian package `darknet`: /usr/share/darknet/data/dog.jpg (GPL-3+ or MIT or WTFPL, per its copyright file).

Needs: python3, pip, apt-get (to download, not install, the .deb), dpkg-deb, and ImageMagick 6's `convert`
(`apt-get install --no-install-recommends imagemagick`). Run from anywhere:
    python3 scripts/photos/prepare.py [--work /tmp/photo-work]
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Lessons", "images")

# Geometry of the dog-and-cat board: a 448×448 square, so that torchvision-style Resize(256) + CenterCrop(224)
# keeps both animals (a wide strip would lose them to the centre crop, which keeps board pixels 28…420). On a mid-grey
# board, a tall panel tightly cropped around the dog sits on the left and the whole cat photo, scaled down, on the
# right. The sizes balance the two animals for the pretrained EfficientNet-Lite0: an earlier layout with two equal
# panels and a close-up of the cat's face gave the cat p ≈ 0.6 and the best dog breed p ≈ 0.0003; this one gives
# "Egyptian cat" ≈ 0.19 and "malamute" ≈ 0.18, each well ahead of the other breeds and cats. A cat panel 8 px wider
# already tips the balance towards the cat, so re-measure (`tutor predict`) after any change here.
BOARD = 448
GAP = 12                                     # grey between the two panels
DOG_PANEL = (32, 50, 220, 348)               # board pixels (x, y, w, h)
CAT_PANEL = (DOG_PANEL[0] + DOG_PANEL[2] + GAP, 174, 152, 101)
# Crops in source pixels (x, y, w, h), with each panel's aspect ratio.
DOG_CROP = (100, 190, 240, 380)  # dog.jpg is 768×576; the dog sits bottom-left, in front of a bicycle
CAT_CROP = (0, 0, 451, 300)      # chelsea.png is 451×300: the whole photo

def run(*cmd, cwd=None):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=cwd)


def imagemagick():
    # Prefer Debian's real binary: /usr/local/bin may hold a wrapper script of the same name.
    for path in ("/usr/bin/convert", shutil.which("convert") or ""):
        if path and os.path.exists(path):
            return path
    sys.exit("ImageMagick's convert is missing: apt-get install --no-install-recommends imagemagick")


# Output PNGs without timestamps or other metadata, so reruns produce the same bytes.
PNG_OPTS = ["-strip", "-define", "png:exclude-chunks=date,time", "-depth", "8"]


def fetch_sources(work):
    wheels = glob.glob(os.path.join(work, "scikit_image-*.whl"))
    if not wheels:
        run(sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "scikit-image", "-d", work)
        wheels = glob.glob(os.path.join(work, "scikit_image-*.whl"))
    with zipfile.ZipFile(sorted(wheels)[-1]) as wheel:
        for name in ("chelsea.png", "coffee.png"):
            with open(os.path.join(work, name), "wb") as f:
                f.write(wheel.read("skimage/data/" + name))
    debs = glob.glob(os.path.join(work, "darknet_*.deb"))
    if not debs:
        run("apt-get", "download", "darknet", cwd=work)
        debs = glob.glob(os.path.join(work, "darknet_*.deb"))
    extracted = os.path.join(work, "darknet")
    run("dpkg-deb", "-x", sorted(debs)[-1], extracted)
    shutil.copy(os.path.join(extracted, "usr/share/darknet/data/dog.jpg"), os.path.join(work, "dog.jpg"))
    shutil.copy(os.path.join(extracted, "usr/share/doc/darknet/copyright"), os.path.join(work, "darknet-copyright"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/saliency-photos", help="download and scratch folder")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    fetch_sources(args.work)
    convert = imagemagick()
    w = lambda name: os.path.join(args.work, name)
    o = lambda name: os.path.join(OUT, name)

    # The cat is small enough already: copied byte for byte.
    shutil.copy(w("chelsea.png"), o("cat.png"))
    # Coffee (600×400, 467 KB) and dog (768×576 JPEG) are scaled to a shorter side of 256, the first step of the
    # models' preprocessing anyway, which keeps each file well under 400 KB.
    run(convert, w("coffee.png"), "-resize", "384x256!", *PNG_OPTS, o("coffee.png"))
    run(convert, w("dog.jpg"), "-resize", "341x256!", *PNG_OPTS, o("dog.png"))

    def panel(src, crop, place):
        x, y, cw, ch = crop
        px, py, pw, ph = place
        return ["(", src, "-crop", f"{cw}x{ch}+{x}+{y}", "+repage", "-resize", f"{pw}x{ph}!", ")",
                "-geometry", f"+{px}+{py}", "-composite"]

    run(convert, "-size", f"{BOARD}x{BOARD}", "xc:rgb(128,128,128)",
        *panel(w("dog.jpg"), DOG_CROP, DOG_PANEL),
        *panel(w("chelsea.png"), CAT_CROP, CAT_PANEL),
        "-type", "TrueColor", *PNG_OPTS, o("dog-and-cat.png"))

    for name in ("cat.png", "coffee.png", "dog.png", "dog-and-cat.png"):
        size = os.path.getsize(o(name))
        print(f"{name}: {size} bytes")
        if size >= 400_000:
            sys.exit(f"{name} is {size} bytes; keep photos under 400 KB")


if __name__ == "__main__":
    main()
