import Foundation

/// Grades one student's lesson inside a worker process: splice, check, and when an exercise breaks the program
/// (compile error, trap, `exit()`, hang, memory) grade it as failed and check again with the course's solution in
/// its place (its checks not scored), so an exercise fails alone and the steps that use it still run.
struct GradeProgram {
    var job: WorkerJob
    /// Runs the checks of a spliced lesson (the one door to the runner); `true`: stop at the first broken step.
    var check: (Lesson, GradeLimits, Bool) throws -> (run: LessonRunResult, checks: CheckResult)

    func grade() throws -> WorkerOutcome {
        let path = job.lesson + ".md"
        let source = try LessonParser.parse(text: job.sourceText, path: path)
        var broken: [String: DecidedExercise] = job.decided
        var problems: [String] = []
        let untouched = Set(source.exercises.filter { Self.isUntouched($0, job.code[$0.exerciseID!]) }.compactMap(\.exerciseID))
        // Exercises left as released are graded `todo` now; like broken ones they run on the course's solution, so
        // the steps that use them run (no rebuild per dependent step) and the other exercises are graded alone.
        for id in untouched where broken[id] == nil {
            broken[id] = DecidedExercise(status: .todo, note: "TODO not done: the exercise is as released")
        }
        if source.exercises.allSatisfy({ broken[$0.exerciseID!] != nil }) { return nothingToBuild(source, broken: broken) }
        var last: (run: LessonRunResult, checks: CheckResult, lesson: Lesson)?
        var stopEarly = true
        for _ in 0...(source.exercises.count + 2) {
            let code = spliceCode(source, broken: broken)
            let text = GradeSplice.splice(source, code: code.all)
            let lesson: Lesson
            do { lesson = try LessonParser.parse(text: text, path: path) } catch TutorError.invalidLesson(let issues) {
                let blamed = blameParseIssues(issues, text: text, source: source, code: code.student)
                guard !blamed.isEmpty else { throw TutorError.invalidLesson(issues) }
                broken.merge(blamed) { old, _ in old }
                continue
            }
            let outcome: (run: LessonRunResult, checks: CheckResult)
            do { outcome = try check(lesson, job.limits, stopEarly) } catch {
                // The runner gave up on the whole program: blame the first exercise that still runs student code.
                guard let id = source.exercises.compactMap(\.exerciseID).first(where: { code.student[$0] != nil }) else { throw error }
                broken[id] = DecidedExercise(status: .compileError, note: "the lesson program does not build with this code: \(error)")
                problems.append("\(id): \(error)")
                continue
            }
            last = (outcome.run, outcome.checks, lesson)
            var blamed = blame(outcome.run, lesson: lesson, source: source, code: code.student)
            if blamed.isEmpty, Self.isTampered(outcome.checks) {
                // The runner voids a whole run whose events were cut short or forged (an `exit()` inside a check,
                // writes to its channel): find the exercise whose code does it, so the others keep their points.
                for id in try tamperingExercises(source: source, path: path, broken: broken) {
                    blamed[id] = DecidedExercise(status: .tampered, note: "tampered: with this exercise's code the check "
                        + "program's run ends early or is forged (exit(), or writes to the runner's channel)")
                }
            }
            let stopped = stopEarly && outcome.run.steps.contains(where: LessonRunner.isFailure)
            if blamed.isEmpty {
                // A failure no student code explains: check once more without stopping, so the checks still run.
                if stopped { stopEarly = false; continue }
                break
            }
            broken.merge(blamed) { old, _ in old }
        }
        guard let last else { throw TutorError.setup("grading \(path) never got a program to run") }
        let exercises = source.exercises.map { step in
            score(step, checks: last.checks, run: last.run, lesson: last.lesson, broken: broken[step.exerciseID!])
        }
        return WorkerOutcome(exercises: exercises, steps: withoutSolutionOutput(last.run.steps, lesson: last.lesson, source: source, broken: broken),
                             images: images(of: last.run), problems: problems + last.checks.errors.map(redactHidden))
    }

    /// Every exercise decided before anything runs (missing, tampered, as released): nothing to build.
    func nothingToBuild(_ source: Lesson, broken: [String: DecidedExercise]) -> WorkerOutcome {
        WorkerOutcome(exercises: source.exercises.map { step in
            let id = step.exerciseID!
            return ExerciseGrade(id: id, points: 0, possible: GradeTask.possible(step, in: source), status: broken[id]!.status,
                                 note: broken[id]!.note, code: job.code[id], tests: [])
        }, steps: [], images: [:], problems: [])
    }

    /// The code to splice: the student's where it is still graded, the course's solution for exercises already
    /// decided (their checks are not scored).
    func spliceCode(_ source: Lesson, broken: [String: DecidedExercise]) -> (all: [String: [String]], student: [String: [String]]) {
        let student = job.code.filter { broken[$0.key] == nil }
        var all = student
        for step in source.exercises where broken[step.exerciseID!] != nil { all[step.exerciseID!] = step.lines }
        return (all, student)
    }

    /// Steps that ran on the course's solution of an exercise the student did not finish: their output would show
    /// what the solution computes, so it is left out and the step says why.
    func withoutSolutionOutput(_ steps: [StepResult], lesson: Lesson, source: Lesson, broken: [String: DecidedExercise]) -> [StepResult] {
        let replaced = source.exercises.filter { broken[$0.exerciseID!] != nil }
        guard !replaced.isEmpty else { return steps }
        return steps.map { result in
            guard let step = lesson.step(result.index) else { return result }
            var result = result
            if let id = step.exerciseID, broken[id] != nil {
                result.output = []
                result.stderr = ""
                result.note = "graded separately: \(broken[id]!.note)"
                return result
            }
            let users = replaced.filter { exercise in
                exercise.fenceLine < step.fenceLine && GradeSplice.declaredNames(exercise).contains { GradeSplice.mentions(step.lines, $0) }
            }.map { "`\($0.exerciseID!)`" }
            guard !users.isEmpty, !result.output.isEmpty || !result.stderr.isEmpty else { return result }
            result.output = []
            result.stderr = ""
            result.note = "ran with the course's solution for \(users.joined(separator: ", ")), which yours did not complete; its output is not shown"
            return result
        }
    }

    /// True when the runner voided the run's checks as tampered.
    static func isTampered(_ checks: CheckResult) -> Bool {
        checks.exercises.contains { $0.tests.contains { $0.status == "tampered" } }
    }

    /// The exercises whose student code makes a run tampered: each is tried alone in its `TODO()` form (last first);
    /// when no single one explains it, all of them.
    func tamperingExercises(source: Lesson, path: String, broken: [String: DecidedExercise]) throws -> [String] {
        let candidates = source.exercises.compactMap(\.exerciseID).filter { spliceCode(source, broken: broken).student[$0] != nil }
        for id in candidates.reversed() {
            var without = broken
            without[id] = DecidedExercise(status: .tampered, note: "")
            let lesson = try LessonParser.parse(text: GradeSplice.splice(source, code: spliceCode(source, broken: without).all), path: path)
            guard let outcome = try? check(lesson, job.limits, false) else { continue }
            if !Self.isTampered(outcome.checks) { return [id] }
        }
        return candidates
    }

    /// True when the student's code for an exercise is its released `TODO()` form (spaces at line ends aside).
    static func isUntouched(_ step: Step, _ code: [String]?) -> Bool {
        guard let code else { return false }
        let trim = { (lines: [String]) -> [String] in
            var result = lines.map { String($0.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            while result.last?.isEmpty == true { result.removeLast() }
            return result
        }
        return trim(code) == trim(StudentForm.exerciseLines(step))
    }

    /// Exercises to blame for a failing run: an exercise step that failed, or the exercises a failing step uses.
    func blame(_ run: LessonRunResult, lesson: Lesson, source: Lesson, code: [String: [String]]) -> [String: DecidedExercise] {
        var blamed: [String: DecidedExercise] = [:]
        // A trap's stderr lands in the slice of the step that called the exercise, whatever that step is reported as.
        let allStderr = run.steps.map(\.stderr).joined(separator: "\n")
        for result in run.steps {
            guard var status = Self.status(of: result), let step = lesson.step(result.index) else { continue }
            if status == .crashed && Self.looksLikeMemory(allStderr) { status = .memory }
            let message = result.message ?? result.status.rawValue
            if let id = step.exerciseID {
                if code[id] != nil { blamed[id] = DecidedExercise(status: status, note: "\(label(status)): \(message)") }
                continue
            }
            // A plain step failed on student code: the exercises it mentions, else the last one before it.
            // Indices are the graded file's; the names an exercise declares come from the instructor's version.
            let candidates = lesson.exercises.filter { exercise in
                code[exercise.exerciseID!] != nil && exercise.index < step.index
            }
            var culprits = candidates.filter { candidate in
                let original = source.exercises.first { $0.exerciseID == candidate.exerciseID } ?? candidate
                return GradeSplice.declaredNames(original).contains { GradeSplice.mentions(step.lines, $0) }
            }
            if culprits.isEmpty, let lastOne = candidates.last { culprits = [lastOne] }
            for culprit in culprits {
                let id = culprit.exerciseID!
                blamed[id] = DecidedExercise(status: status,
                                             note: "\(label(status)) in the step at line \(step.fenceLine), which uses `\(id)`: \(message)")
            }
        }
        return blamed
    }

    /// Parse problems inside spliced exercise code (an unclosed fence, say) make that exercise a compile error.
    private func blameParseIssues(_ issues: [LessonIssue], text: String, source: Lesson, code: [String: [String]]) -> [String: DecidedExercise] {
        var blamed: [String: DecidedExercise] = [:]
        let blocks = ScannedBlock.scan(text)
        for issue in issues {
            let owner = blocks.last { $0.fenceLine <= issue.line }
            guard let id = owner?.exerciseID, code[id] != nil else { continue }
            blamed[id] = DecidedExercise(status: .compileError, note: "compile-error: \(issue.message)")
        }
        return blamed
    }

    /// The grade status of a step that failed, nil for steps that ran as declared, were not run or are TODO.
    static func status(of result: StepResult) -> GradeStatus? {
        switch result.status {
        case .compileError: return .compileError
        case .timedOut: return .timeout
        case .trapped:
            let text = (result.message ?? "") + "\n" + result.stderr
            return Self.looksLikeMemory(text) ? .memory : .crashed
        default: return nil
        }
    }

    /// Signs of an allocation that failed under the memory limit.
    static func looksLikeMemory(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return ["could not allocate memory", "out of memory", "cannot allocate memory", "bad_alloc", "failed to allocate"]
            .contains { lowered.contains($0) }
    }

    private func label(_ status: GradeStatus) -> String {
        switch status {
        case .compileError: "does not compile"
        case .timeout: "timed out"
        case .memory: "exceeded the memory limit"
        case .crashed: "crashed"
        default: status.rawValue
        }
    }

    /// The grade of one exercise from the final run.
    func score(_ step: Step, checks: CheckResult, run: LessonRunResult, lesson: Lesson, broken: DecidedExercise?) -> ExerciseGrade {
        let id = step.exerciseID!
        let result = checks.exercises.first { $0.id == id }
        let tests = (result?.tests ?? []).map { test in
            GradedTest(name: test.name, status: test.status, message: test.hidden ? nil : test.message, points: test.points, hidden: test.hidden)
        }
        let possible = tests.reduce(0) { $0 + $1.points }
        let code = job.code[id]
        if let broken {
            let notRun = tests.map { GradedTest(name: $0.name, status: "not-run", message: $0.hidden ? nil : "not run: \(broken.note)", points: $0.points, hidden: $0.hidden) }
            return ExerciseGrade(id: id, points: 0, possible: possible, status: broken.status, note: broken.note, code: code, tests: notRun)
        }
        var earned = tests.filter { $0.status == "passed" }.reduce(0) { $0 + $1.points }
        let exerciseIndex = lesson.exercises.first(where: { $0.exerciseID == id })?.index
        let stepStatus = run.steps.first(where: { $0.index == exerciseIndex })?.status
        let status: GradeStatus
        var note = ""
        let failing = tests.filter { $0.status != "passed" }
        let todoMessages = (result?.tests ?? []).filter { $0.status != "passed" }.allSatisfy {
            ($0.message ?? "").contains("TODO not done") || ($0.message ?? "").contains("is not done (TODO)")
        }
        if failing.isEmpty {
            status = .passed
        } else if stepStatus == .todo || todoMessages {
            status = .todo
            note = "TODO not done"
        } else if let crash = (result?.tests ?? []).first(where: { $0.status == "crashed" }) {
            status = Self.looksLikeMemory(crash.message ?? "") ? .memory : .crashed
            note = crash.hidden ? "a hidden check crashed" : "\(crash.name): \(crash.message ?? "crashed")"
        } else if let slow = (result?.tests ?? []).first(where: { $0.status == "timed-out" }) {
            status = .timeout
            note = slow.hidden ? "a hidden check timed out" : "\(slow.name): \(slow.message ?? "timed out")"
        } else {
            status = .failed
            note = "\(failing.count) of \(tests.count) checks failed"
        }
        // A check that crashed or hung stopped the exercise's other checks: it costs the whole exercise.
        if [.crashed, .timeout, .memory].contains(status) { earned = 0 }
        return ExerciseGrade(id: id, points: earned, possible: possible, status: status, note: note, code: code, tests: tests)
    }

    /// The run's images, base64, so the feedback page can be written anywhere.
    private func images(of run: LessonRunResult) -> [String: String] {
        var result: [String: String] = [:]
        for case .image(let image) in run.steps.flatMap(\.output) {
            let url = URL(fileURLWithPath: run.assetsDirectory).appendingPathComponent(image.file)
            if let data = FileManager.default.contents(atPath: url.path) { result[image.file] = data.base64EncodedString() }
        }
        return result
    }

    /// Check-program errors can quote a compiler log that includes hidden test code: keep only the first line.
    private func redactHidden(_ error: String) -> String {
        String(error.split(separator: "\n").first ?? "")
    }
}
