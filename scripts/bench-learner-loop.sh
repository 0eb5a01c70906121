#!/usr/bin/env bash
# The learner's loop, save → result in the terminal: times `tutor check` of a lesson after an edit of one exercise
# (its first solution line gets a new comment each time) and of the unchanged lesson (cached), with the breakdown
# `tutor check --timings` prints. Two copies of the lesson are edited:
#   solved     — the lesson as written, every exercise done;
#   workspace  — the learner's copy from `tutor workspace`, the first exercise solved and the others still TODO()
#                (so later steps run on the reference solutions): what a learner working through it has.
# Baseline (TUTOR_FAST_BUILD=0: every program built from scratch and linked from the objects, checks after the steps)
# and the default build alternate edit by edit, so both see the same machine load.
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
        done || true   # a workspace copy has unfinished exercises: tutor check exits 1
    end=$(date +%s%N)
    local result=$end; [ -f "$work/result-at" ] && result=$(cat "$work/result-at")
    printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$kind" "$(( (result - start) / 1000000 ))" "$(( (end - start) / 1000000 ))" \
        "$(cat "$work/timings" 2>/dev/null)" >>"$results"
}

# Appends "// edit N" to the line marked "EDIT HERE" by `prepare` (the first line of the first exercise's solution).
edit() {
    python3 - "$1" "$2" <<'PY'
import re, sys
path, n = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
at = next(i for i, l in enumerate(lines) if "// EDIT HERE" in l)
lines[at] = re.sub(r" // edit \d+$", "", lines[at]) + f" // edit {n}"
open(path, "w", encoding="utf-8").write("\n".join(lines))
PY
}

# Marks the first solution line of `copy` for `edit`; in a workspace copy, first puts the source's solution of the first
# exercise in place of its TODO().
prepare() {
    python3 - "$1" "$2" <<'PY'
import sys
copy, source = sys.argv[1], sys.argv[2]
src = open(source, encoding="utf-8").read().split("\n")
begin = next(i for i, l in enumerate(src) if "BEGIN SOLUTION" in l)
end = next(i for i in range(begin, len(src)) if "END SOLUTION" in src[i])
solution = src[begin + 1:end]
lines = open(copy, encoding="utf-8").read().split("\n")
if any("BEGIN SOLUTION" in l for l in lines):
    at = next(i for i, l in enumerate(lines) if "BEGIN SOLUTION" in l) + 1
else:
    at = next(i for i, l in enumerate(lines) if "TODO(" in l and not l.strip().startswith("//"))
    lines[at:at + 1] = solution
lines[at] += " // EDIT HERE"
open(copy, "w", encoding="utf-8").write("\n".join(lines))
PY
}

"$tutor" workspace "$lesson" --out "$work/workspace" >/dev/null
name=$(basename "$lesson")
for mode in baseline fast; do
    for scenario in solved workspace; do
        mkdir -p "$work/$mode-$scenario"
        if [ "$scenario" = solved ]; then cp "$lesson" "$work/$mode-$scenario/"; else cp -r "$work/workspace/." "$work/$mode-$scenario/"; fi
        copy="$work/$mode-$scenario/$name"
        prepare "$copy" "$lesson"
        fast=1; [ "$mode" = baseline ] && fast=0
        edit "$copy" 0
        TUTOR_FAST_BUILD=$fast "$tutor" check "$copy" --output "$work/out-$mode" >/dev/null 2>&1 || true   # warm-up
    done
done
for n in $(seq 1 "$edits"); do
    for mode in baseline fast; do
        for scenario in solved workspace; do
            copy="$work/$mode-$scenario/$name"
            fast=1; [ "$mode" = baseline ] && fast=0
            edit "$copy" "$n"
            timed_check "$mode" "$scenario" "$copy" "$fast"
            timed_check "$mode" "$scenario-unchanged" "$copy" "$fast"
        done
    done
done

echo "Learner's loop: $lesson, $edits edits, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
for mode in ("baseline", "fast"):
    for kind in ("solved", "solved-unchanged", "workspace", "workspace-unchanged"):
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
        print(f"{mode:8} {kind:19} result after {int(statistics.median(walls))} ms (min {min(walls)}, max {max(walls)}), "
              f"exit after {int(statistics.median(exits))} ms — median {breakdown}")
PY
