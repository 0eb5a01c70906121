#!/usr/bin/env python3
"""The learner's loop as a learner has it: `tutor watch` on a copy of a lesson, one exercise line edited and saved
again and again; prints how long each save took to bring the result line (✓/✗) to the terminal.

Usage: scripts/bench-watch.py [LESSON] [EDITS]   (default Lessons/01-gradient.md, 6 edits)
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tutor = os.path.join(root, ".build/release/tutor")
source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Lessons/01-gradient.md")
edits = int(sys.argv[2]) if len(sys.argv) > 2 else 6
if not os.access(tutor, os.X_OK):
    sys.exit(f"error: {tutor} not found; run make build")

work = tempfile.mkdtemp()
try:
    lesson = os.path.join(work, os.path.basename(source))
    shutil.copy(source, lesson)
    lines = open(lesson, encoding="utf-8").read().split("\n")
    # The first line of the first solution region (or of the first exercise) gets a new comment on each save.
    at = next((i + 1 for i, l in enumerate(lines) if "BEGIN SOLUTION" in l), None)
    if at is None:
        at = next(i + 1 for i, l in enumerate(lines) if l.startswith("```swift exercise"))
    base = lines[at]
    watch = subprocess.Popen([tutor, "watch", lesson, "--output", os.path.join(work, "out")], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env=dict(os.environ, NO_COLOR="1"))
    results = []
    arrived = threading.Event()

    def read():
        for line in watch.stdout:
            if line.startswith(("✓ ", "✗ ")):
                results.append(time.monotonic())
                arrived.set()

    threading.Thread(target=read, daemon=True).start()
    if not arrived.wait(120):
        sys.exit("error: tutor watch printed no result for the first check")
    arrived.clear()
    time.sleep(1)
    waits = []
    for n in range(edits):
        lines[at] = f"{base} // watch {n}"
        saved = time.monotonic()
        with open(lesson, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        if not arrived.wait(60):
            sys.exit(f"error: no result after save {n}")
        waits.append((results[-1] - saved) * 1000)
        arrived.clear()
        time.sleep(1.5)  # the report is written after the result; let it finish before the next save
    watch.terminate()
    watch.wait()
    load = open("/proc/loadavg").read().split()[:3]
    print(f"tutor watch {os.path.relpath(source, root)}: save → result median {statistics.median(waits):.0f} ms "
          f"(min {min(waits):.0f}, max {max(waits):.0f}) over {len(waits)} saves; {os.cpu_count()} cores, "
          f"load average {' '.join(load)}")
finally:
    shutil.rmtree(work, ignore_errors=True)
