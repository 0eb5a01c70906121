#!/usr/bin/env python3
"""Benchmark for `tutor grade`: a synthetic class with a mix of good and broken submissions for one lesson.

usage: scripts/grade-bench.py LESSON.md STUDENTS WORKDIR [--jobs N]

Writes WORKDIR/release (tutor release of LESSON), WORKDIR/submissions/<student>/<lesson>.md and grades them into
WORKDIR/grades, printing submissions per minute. The mix, in turn per student: good (the reference solutions),
TODO (the copy as released), a compile error and a trap in the first exercise (the others good).
"""
import os, re, shutil, subprocess, sys, time

def blocks(text):
    return {m.group(1): m for m in re.finditer(r"^```swift exercise id=([\w-]+)\n(.*?)\n```$", text, re.S | re.M)}

def main():
    lesson, count, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    jobs = sys.argv[sys.argv.index("--jobs") + 1] if "--jobs" in sys.argv else str(os.cpu_count())
    tutor = os.environ.get("TUTOR", ".build/release/tutor")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    name = os.path.basename(lesson)
    subprocess.run([tutor, "release", lesson, "--out", f"{work}/release"], check=True, stdout=subprocess.DEVNULL)
    released = open(f"{work}/release/{name}").read()
    source = open(lesson).read()
    solutions = {i: m.group(2) for i, m in blocks(source).items()}
    def with_code(code):
        text = released
        for i, m in sorted(blocks(released).items(), key=lambda kv: -kv[1].start()):
            text = text[:m.start(2)] + code.get(i, m.group(2)) + text[m.end(2):]
        return text
    first = next(iter(blocks(source)))
    kinds = ["good", "todo", "compile-error", "trap"]
    for n in range(count):
        kind = kinds[n % len(kinds)]
        code = {} if kind == "todo" else dict(solutions)
        if kind == "compile-error":
            code[first] = re.sub(r"(func [^\n]*\{\n)", r'\1    let broken: Int = "not a number"\n', code[first], count=1)
        if kind == "trap":
            code[first] = re.sub(r"(func [^\n]*\{\n)", r"\1    let none: [Int] = []; _ = none[1]\n", code[first], count=1)
        folder = f"{work}/submissions/student{n:03d}-{kind}"
        os.makedirs(folder)
        open(f"{folder}/{name}", "w").write(with_code(code))
    start = time.time()
    subprocess.run([tutor, "grade", f"{work}/submissions", "--source", lesson, "--out", f"{work}/grades", "--jobs", jobs],
                   check=True)
    seconds = time.time() - start
    print(f"{name}: {count} submissions in {seconds:.1f} s with --jobs {jobs}: {count * 60 / seconds:.1f} per minute")

if __name__ == "__main__":
    main()
