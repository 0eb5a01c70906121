#!/usr/bin/env bash
# Coverage-guided fuzzing of one loader with libFuzzer (optional; the CI runs the deterministic mutation tests).
# Usage: scripts/untrusted/libfuzzer.sh checkpoint|npy|png|lesson [seconds]
# Builds tutor-fuzz with -sanitize=fuzzer in its own scratch folder (the normal build is untouched), seeds a
# corpus from the committed fixtures and runs with libFuzzer's 1.5 GB memory limit: an allocation above it is
# reported as a finding just like a trap. Crashes land in .build/fuzz-findings/; replay one with
# `FUZZ_TARGET=<target> .build/release/tutor-fuzz FILE`.
set -eu
cd "$(dirname "$0")/../.."
target=${1:?give checkpoint, npy, png or lesson}
seconds=${2:-60}
# SwiftPM compiles every module with coverage instrumentation; its own link of the executable expects a Swift
# entry point and fails, so the objects are linked here with libFuzzer's main instead.
swift build -c release --scratch-path .build/fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --product tutor-fuzz \
    >/dev/null 2>&1 || true
objects=.build/fuzz/$(uname -m)-unknown-linux-gnu/release
swiftc -sanitize=fuzzer $(for t in Engine Imaging Models Tutor ZIPFoundation CPNGRows tutor_fuzz; do ls "$objects/$t.build/"*.o; done) \
    -lopenblas -lpng16 -lz -lcmark -o .build/fuzz/tutor-fuzz
corpus=.build/fuzz-corpus/$target
mkdir -p "$corpus" .build/fuzz-findings
case $target in
    checkpoint) cp Tests/ModelsTests/Fixtures/checkpoints/*.pth Tests/ModelsTests/Fixtures/checkpoints/*.safetensors "$corpus"/ ;;
    npy) find Tests -name '*.npy' -size -64k -exec cp {} "$corpus"/ \; ;;
    png) cp Lessons/images/*.png "$corpus"/ ;;
    lesson) cp Tests/TutorTests/Lessons/*.md Lessons/*.md "$corpus"/ ;;
esac
FUZZ_TARGET=$target .build/fuzz/tutor-fuzz "$corpus" -max_total_time="$seconds" -rss_limit_mb=1536 \
    -artifact_prefix=.build/fuzz-findings/"$target"-
