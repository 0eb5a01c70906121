#!/usr/bin/env python3
"""Benchmark for `tutor grade`: a synthetic class with a mix of good and broken submissions for one lesson.

usage: scripts/grade-bench.py LESSON.md STUDENTS WORKDIR [--jobs N] [--kinds good,todo,compile-error,trap]

Writes WORKDIR/release (tutor release of LESSON), WORKDIR/submissions/<student>/<lesson>.md and grades them into
WORKDIR/grades. The mix, in turn per student: good (the reference solutions), TODO (the copy as released), a compile
error and a trap in the first exercise (the other exercises good); `loop` (an infinite loop in the first exercise,
costs the step limit) can be added with --kinds. The source lesson's own check runs first, in a warm-up run that
grades one extra student, and is not timed. Prints the wall-clock time, submissions per minute and the CPU time of
`tutor grade` and everything under it (user + system), per submission.
"""
import os, re, resource, shutil, subprocess, sys, time

def blocks(text):
    return {m.group(1): m for m in re.finditer(r"^```swift exercise id=([\w-]+)\n(.*?)\n```$", text, re.S | re.M)}

def option(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default

def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

def main():
    lesson, count, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    jobs = option("--jobs", str(os.cpu_count()))
    kinds = option("--kinds", "good,todo,compile-error,trap").split(",")
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
    edits = {
        "compile-error": r'\1    let broken: Int = "not a number"\n',
        "trap": r"\1    let none: [Int] = []; _ = none[1]\n",
        "loop": r"\1    while Int.random(in: 0...1) < 2 { }\n",
    }
    def write(folder, kind):
        code = {} if kind == "todo" else dict(solutions)
        if kind in edits:
            code[first] = re.sub(r"(func [^\n]*\{\n)", edits[kind], code[first], count=1)
        os.makedirs(folder)
        open(f"{folder}/{name}", "w").write(with_code(code))
    # Warm-up: the source lesson's own check (kept in GRADES/.grading), not timed.
    write(f"{work}/warmup/zz-warmup", "todo")
    grade = [tutor, "grade", "--source", lesson, "--out", f"{work}/grades", "--jobs", jobs]
    subprocess.run(grade[:2] + [f"{work}/warmup"] + grade[2:], check=True, stderr=subprocess.DEVNULL)
    for n in range(count):
        kind = kinds[n % len(kinds)]
        write(f"{work}/submissions/student{n:03d}-{kind}", kind)
    shutil.copytree(f"{work}/warmup/zz-warmup", f"{work}/submissions/zz-warmup")
    cpu, start = children_cpu(), time.time()
    subprocess.run(grade[:2] + [f"{work}/submissions"] + grade[2:], check=True)
    seconds, cpu = time.time() - start, children_cpu() - cpu
    print(f"{name}: {count} submissions ({', '.join(kinds)}) in {seconds:.1f} s with --jobs {jobs}: "
          f"{count * 60 / seconds:.1f} per minute; CPU {cpu:.1f} s, {cpu / count:.2f} s per submission")

if __name__ == "__main__":
    main()
