#!/usr/bin/env bash
# The learner's loop, save → result in the terminal: times `tutor check` of a lesson after an edit of one exercise
# (the body of its first solution line gets a new comment each time) and of the unchanged lesson (cached), with the
# breakdown `tutor check --timings` prints. Baseline (TUTOR_FAST_BUILD=0: every program built from scratch and linked
# from the objects) and the default build alternate edit by edit, so both see the same machine load.
# Usage: scripts/bench-learner-loop.sh [LESSON] [EDITS]   (default Lessons/01-gradient.md, 5 edits)
set -euo pipefail
cd "$(dirname "$0")/.."
lesson=${1:-Lessons/01-gradient.md}
edits=${2:-5}
tutor=.build/release/tutor
[ -x "$tutor" ] || { echo "error: $tutor not found; run make build" >&2; exit 2; }
[ -f "$lesson" ] || { echo "error: $lesson: no such lesson" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results="$work/results.tsv"
: >"$results"

# One timed check: mode, kind, ms until the result line (✓/✗) reached the terminal, ms until tutor exited (the report
# is written after the result), and the --timings line, appended to the results.
timed_check() {
    local mode=$1 kind=$2 copy=$3 fast=$4
    local start end
    rm -f "$work/result-at" "$work/timings"
    start=$(date +%s%N)
    TUTOR_FAST_BUILD=$fast "$tutor" check "$copy" --output "$work/out-$mode" --timings 2>&1 >/dev/null |
        while IFS= read -r line; do
            case "$line" in
                "✓ "*|"✗ "*) date +%s%N >"$work/result-at" ;;
                timings:*) printf '%s' "${line#timings: }" >"$work/timings" ;;
            esac
        done
    end=$(date +%s%N)
    local result=$end; [ -f "$work/result-at" ] && result=$(cat "$work/result-at")
    printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$kind" "$(( (result - start) / 1000000 ))" "$(( (end - start) / 1000000 ))" \
        "$(cat "$work/timings" 2>/dev/null)" >>"$results"
}

# Appends "// edit N" to the first line inside the first BEGIN SOLUTION region (or the first exercise's first line).
edit() {
    python3 - "$1" "$2" <<'PY'
import re, sys
path, n = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines) if "BEGIN SOLUTION" in l) + 1
lines[start] = re.sub(r" // edit \d+$", "", lines[start]) + f" // edit {n}"
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
}

for mode in baseline fast; do
    mkdir -p "$work/$mode"
    cp "$lesson" "$work/$mode/"
    copy="$work/$mode/$(basename "$lesson")"
    fast=1; [ "$mode" = baseline ] && fast=0
    edit "$copy" 0
    TUTOR_FAST_BUILD=$fast "$tutor" check "$copy" --output "$work/out-$mode" >/dev/null 2>&1 || true   # warm-up
done
for n in $(seq 1 "$edits"); do
    for mode in baseline fast; do
        copy="$work/$mode/$(basename "$lesson")"
        fast=1; [ "$mode" = baseline ] && fast=0
        edit "$copy" "$n"
        timed_check "$mode" edited "$copy" "$fast"
        timed_check "$mode" unchanged "$copy" "$fast"
    done
done

echo "Learner's loop: $lesson, $edits edits, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
for mode in ("baseline", "fast"):
    for kind in ("edited", "unchanged"):
        picked = [r for r in rows if r[0] == mode and r[1] == kind]
        if not picked:
            continue
        walls = [int(r[2]) for r in picked]
        exits = [int(r[3]) for r in picked]
        phases = {}
        for r in picked:
            for part in (r[4].split(" · ") if len(r) > 4 and r[4] else []):
                name, value = part.rsplit(" ", 2)[0], part.rsplit(" ", 2)[1]
                phases.setdefault(name, []).append(int(value))
        breakdown = " · ".join(f"{k} {int(statistics.median(v))} ms" for k, v in phases.items())
        print(f"{mode:8} {kind:9} result after {int(statistics.median(walls))} ms (min {min(walls)}, max {max(walls)}), "
              f"exit after {int(statistics.median(exits))} ms — median {breakdown}")
PY
