import Foundation

/// Settings for `tutor check`.
public struct CheckOptions: Sendable {
    /// Also compile and run `hidden` test blocks (instructor runs).
    public var withHidden = false
    /// Wall-clock limit of one check program run, in seconds.
    public var timeout: Double = 300
    /// Wall-clock limit of one test, in seconds (the runner stops a test that hangs and records it as timed out).
    public var testTimeout: Double = 30
    /// Once a test crashes or hangs, leave out the other tests of its exercise too (grading: such an exercise earns
    /// nothing, so running its other checks again would only cost time).
    public var skipExerciseAfterCrash = false

    public init() {}
}

/// Runs a lesson's Swift Testing checks against the learner's code and scores them.
///
/// The check program is the lesson program (the steps that ran, with the learner's exercise code) plus one
/// `@Suite` per exercise; after the last step it hands over to Swift Testing, whose event records come back over
/// the runner's channel. Tests run one at a time; a test that crashes or hangs is recorded and the program is run
/// again without it. The work is in named steps: plan, build, run, read the events, score.
public struct CheckRunner: Sendable {
    public var runner: LessonRunner
    public var options: CheckOptions

    /// A check runner that runs lessons with `runner`.
    public init(runner: LessonRunner, options: CheckOptions) {
        self.runner = runner
        self.options = options
    }

    var timeoutReason: String {
        "timed out: the test ran longer than \(formatSeconds(options.testTimeout)) (the runner's limit per test)"
    }

    /// Runs the lesson (cached when unchanged) and then its checks.
    public func check(_ lesson: Lesson) throws -> (run: LessonRunResult, checks: CheckResult) {
        let cache = CheckCache(runner: runner, options: options)
        if let hit = PhaseTimes.shared.measure("cache lookup", { cache.load(lesson) }) { return hit }
        let reads = ReadCollector()
        let result = try checkUncached(lesson, reads: reads)
        cache.store(lesson, result.checks, reads: reads.paths)
        return result
    }

    private func checkUncached(_ lesson: Lesson, reads: ReadCollector) throws -> (run: LessonRunResult, checks: CheckResult) {
        let tests = CheckPlan.tests(of: lesson, withHidden: options.withHidden)
        let refused = try PhaseTimes.shared.measure("screen") { try screen(lesson) }
        let piggyback = refused.isEmpty
            ? PiggybackChecks(tests: tests, testTimeout: options.testTimeout, timeoutReason: timeoutReason) : nil
        let run = try runner.run(lesson, piggyback: piggyback, command: options.withHidden ? "check-hidden" : "check")
        var progress = CheckProgress(plan: CheckPlan.make(lesson: lesson, tests: tests, run: run, refused: refused))

        let work = runner.cacheRoot.appendingPathComponent("checks.\(getpid()).\(UInt32.random(in: 0...UInt32.max)).check")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        Interruption.removeOnInterrupt(work.path)
        defer {
            try? FileManager.default.removeItem(at: work)
            Interruption.keep(work.path)
        }
        let session = ProgramSession(lesson: lesson, environment: runner.environment,
                                     generator: ProgramGenerator(lesson: lesson, codeOf: runner.code(of:)),
                                     workDirectory: work, included: progress.plan.included)
        session.incrementalRoot = runner.options.useCache ? runner.cacheRoot : nil
        // The lesson's own run may already have run these very checks on this very program.
        var ride = piggyback?.outcome.flatMap { outcome in
            if let apart = outcome.apartWithTests { return apart == progress.plan.active.map(\.index) ? outcome : nil }
            return outcome.included == session.included && progress.plan.active.map(\.index) == tests.map(\.index) ? outcome : nil
        }
        let deadline = Date().addingTimeInterval(options.timeout)
        let maxAttempts = 3 * (tests.count + lesson.steps.count) + 4
        // Grading stops at broken code: the exercise is replaced and the lesson checked again, so no checks now.
        let stopped = runner.options.stopAtFirstFailure && run.steps.contains(where: LessonRunner.isFailure)
        var attempts = stopped ? maxAttempts : 0
        // What the program on disk was built from: a rerun that only skips more tests needs no new build.
        var built: (steps: Set<Int>, tests: [Int])?
        while !progress.plan.active.isEmpty, attempts < maxAttempts {
            attempts += 1
            session.tests = progress.plan.active
            let execution: Execution
            if let outcome = ride {
                ride = nil
                execution = outcome.execution
                session.checksLineMap = outcome.lineMap
            } else {
                let plan = (steps: session.included, tests: progress.plan.active.map(\.index))
                if built?.steps != plan.steps || built?.tests != plan.tests {
                    built = nil
                    let outcome = try build(session, &progress)
                    if outcome == .retry { continue }
                    if outcome == .stop { break }
                    built = plan
                }
                execution = try session.execute(limits: limits(lesson, deadline: deadline), skip: progress.skip)
            }
            if read(execution, session: session, lesson: lesson, into: &progress) != .retry { break }
        }
        reads.paths.formUnion(session.reads)
        return (run, score(lesson, run: run, progress: progress))
    }

    // MARK: - Steps

    /// Refuses exercises whose code could change what the checks see: the cheap source rules, then top-level names
    /// the libraries already declare (one cached compiler lookup). Returns the first finding per exercise id.
    func screen(_ lesson: Lesson) throws -> [String: ScreenFinding] {
        let screen = ExerciseScreen(lesson: lesson)
        var refused: [String: ScreenFinding] = [:]
        var names: [String: [(exercise: String, line: Int)]] = [:]
        for step in lesson.exercises {
            let id = step.exerciseID!
            let lines = runner.code(of: step)
            if let finding = screen.findings(in: step, lines: lines).first {
                refused[id] = finding
                continue
            }
            for (name, line) in screen.topLevelNames(in: step, lines: lines) { names[name, default: []].append((id, line)) }
        }
        let shadowing = try LibraryNames(environment: runner.environment, cacheRoot: runner.cacheRoot).declared(Set(names.keys))
        for name in shadowing.sorted() {
            for (id, line) in names[name] ?? [] where refused[id] == nil {
                refused[id] = ScreenFinding(line: line, message: "`\(name)` is already declared by the libraries the checks use; declaring it here would replace it inside the checks — choose another name")
            }
        }
        return refused
    }

    enum BuildOutcome { case built, retry, stop }

    /// Builds the check program; on errors, drops the test blocks or steps they belong to and asks for a retry.
    /// Never passes on a compiler log that quotes a hidden block.
    func build(_ session: ProgramSession, _ progress: inout CheckProgress) throws -> BuildOutcome {
        let compiled = try session.compile()
        if compiled.ok { return .built }
        let lesson = session.lesson
        let hiddenCompiled = progress.plan.active.contains { if case .test(_, _, true) = $0.role { true } else { false } }
        var removed = false
        for error in CompileErrorAttribution.errors(in: compiled.diagnostics, lesson: lesson) {
            guard let step = lesson.step(containingLine: error.line) else { continue }
            if case .test(_, _, let hidden) = step.role {
                guard progress.plan.blocked[step.index] == nil, progress.plan.active.contains(where: { $0.index == step.index }) else { continue }
                progress.plan.blocked[step.index] = hidden
                    ? "not run: the hidden checks do not build against this exercise"
                    : "the checks do not compile: \(lesson.path):\(error.line): \(error.message)"
                progress.plan.buildError = true
                removed = true
            } else if session.included.contains(step.index) {
                session.included.remove(step.index)
                removed = true
            }
        }
        if removed { return .retry }
        progress.plan.errors.append(hiddenCompiled
            ? "the hidden checks do not build against this exercise"
            : "the check program does not build:\n" + compiled.log)
        progress.plan.buildError = true
        return .stop
    }

    func limits(_ lesson: Lesson, deadline: Date) -> ExecutionLimits {
        ExecutionLimits(stepTimeout: { lesson.step($0)?.timeout ?? runner.options.stepTimeout }, deadline: deadline,
                        quietTest: (options.testTimeout, timeoutReason))
    }

    enum ReadOutcome { case done, retry, stop }

    /// Reads one execution's validated events into `progress`: results, a test that crashed or hung (skipped next
    /// time), a step that stopped the check program, tampering.
    func read(_ execution: Execution, session: ProgramSession, lesson: Lesson, into progress: inout CheckProgress) -> ReadOutcome {
        if let reason = execution.tampered {
            progress.tampered = reason
            return .stop
        }
        let stream = TestEventStream(records: execution.testRecords)
        if !stream.runStarted {
            if let failed = execution.failedStep, session.included.contains(failed) {
                session.included.remove(failed)
                guard progress.plan.ranInRun.contains(failed) else { return .retry }
                // A step that ran in the lesson run stopped the check program: a crash, and the checks go on without it.
                let line = lesson.step(failed)?.fenceLine ?? 0
                let why = execution.killReason ?? BacktraceReader.fatalMessage(in: String(decoding: execution.stderr, as: UTF8.self),
                                                                               file: lesson.path)?.message ?? "\(execution.termination)"
                progress.plan.errors.append("the step at line \(line) stopped the check program (\(why)); the checks ran without it")
                progress.plan.crashed = true
                return .retry
            }
            progress.plan.errors.append("the check program stopped before the tests started (\(execution.killReason ?? "\(execution.termination)"))")
            progress.plan.crashed = true
            return .stop
        }
        for record in stream.tests {
            guard let (step, line) = Self.physicalLine(of: record.id).flatMap({ session.checksLineMap[$0] }),
                  let testStep = lesson.step(step), case .test(let exercise, let points, let hidden) = testStep.role else { continue }
            progress.infos[record.id] = CheckProgress.TestInfo(id: record.id, name: record.displayName ?? record.name, step: step,
                                                               line: line, exercise: exercise, points: points, hidden: hidden)
        }
        var running: String?
        for (id, outcome) in stream.outcomes {
            guard let info = progress.infos[id] else { continue }
            switch outcome {
            case .passed: progress.results[id] = info.result("passed", nil, info.line)
            case .failed(let message, let line): progress.results[id] = info.result("failed", message, line ?? info.line)
            case .running: running = id
            }
        }
        if let id = running, let info = progress.infos[id] {
            // This test took the process down (or hung): record it and skip it next time.
            let result = crashResult(info, execution: execution, lesson: lesson)
            progress.results[id] = result
            if result.status != "failed" { progress.plan.crashed = true }
            progress.skip.append(NSRegularExpression.escapedPattern(for: id))
            if options.skipExerciseAfterCrash, result.status != "failed" {
                // Every test of the exercise's suite (ids are `LessonProgram.<suite>/<test>/…`).
                let suite = "LessonProgram.\(session.generator.suiteName(info.exercise))/"
                progress.skip.append(NSRegularExpression.escapedPattern(for: suite))
                progress.skippedAfterCrash.insert(info.exercise)
            }
            return .retry
        }
        if execution.killReason != nil || (execution.termination != .exited(0) && execution.termination != .exited(1)) {
            progress.plan.errors.append("the check program stopped unexpectedly (\(execution.killReason ?? "\(execution.termination)"))")
            progress.plan.crashed = true
            return .stop
        }
        return .done
    }

    private func crashResult(_ info: CheckProgress.TestInfo, execution: Execution, lesson: Lesson) -> TestResult {
        let line = execution.backtraceLine ?? info.line
        if let reason = execution.killReason { return info.result("timed-out", reason, line) }
        if case .exited(86) = execution.termination, let todo = execution.todo {
            return info.result("failed", "TODO not done at line \(todo.int("line") ?? 0)", line)
        }
        let stderr = String(decoding: execution.stderr, as: UTF8.self)
        if let fatal = BacktraceReader.fatalMessage(in: stderr, file: lesson.path) {
            return info.result("crashed", "crashed: \(fatal.message)", line)
        }
        return info.result("crashed", "crashed (\(execution.termination))", line)
    }

    /// Scores every declared test of every counted block, per exercise in lesson order. Tests never reported are
    /// "not run", so the possible points never depend on what the program reported.
    func score(_ lesson: Lesson, run: LessonRunResult, progress: CheckProgress) -> CheckResult {
        let plan = progress.plan
        var exercises: [ExerciseResult] = []
        for exercise in lesson.exercises {
            let id = exercise.exerciseID!
            var results: [TestResult] = []
            for test in plan.tests {
                guard case .test(let target, let points, let hidden) = test.role, target == id else { continue }
                let declared = plan.declared[test.index] ?? []
                let reported = progress.infos.values.filter { $0.step == test.index }.sorted { $0.line < $1.line }
                if let why = plan.blocked[test.index] {
                    let status = why.hasPrefix("tampered") ? "tampered" : "not-run"
                    let entries = declared.isEmpty ? [DeclaredTest(name: "tests at line \(test.fenceLine)", line: test.fenceLine)] : declared
                    for entry in entries {
                        results.append(TestResult(name: entry.name, status: status, message: why, line: entry.line, points: points, hidden: hidden))
                    }
                    continue
                }
                let missing = progress.tampered.map { "tampered: \($0)" }
                    ?? (progress.skippedAfterCrash.contains(id) ? "not run: another check of this exercise crashed or timed out" : "not run")
                let missingStatus = progress.tampered == nil ? "not-run" : "tampered"
                var matched = Set<String>()
                for entry in declared {
                    if let info = reported.first(where: { $0.line == entry.line && !matched.contains($0.id) }) {
                        matched.insert(info.id)
                        results.append(progress.tampered == nil ? progress.results[info.id] ?? info.result("not-run", missing, info.line)
                                                                : info.result("tampered", missing, info.line))
                    } else {
                        results.append(TestResult(name: entry.name, status: missingStatus, message: missing, line: entry.line,
                                                  points: points, hidden: hidden))
                    }
                }
                for info in reported where !matched.contains(info.id) {
                    results.append(progress.tampered == nil ? progress.results[info.id] ?? info.result("not-run", missing, info.line)
                                                            : info.result("tampered", missing, info.line))
                }
            }
            let earned = results.filter { $0.status == "passed" }.reduce(0) { $0 + $1.points }
            let possible = results.reduce(0) { $0 + $1.points }
            exercises.append(ExerciseResult(id: id, line: exercise.fenceLine, pointsEarned: earned, pointsPossible: possible, tests: results))
        }
        var errors = plan.errors
        if let reason = progress.tampered { errors.append("tampered: \(reason); the checks of this run count as failed") }
        let allPassed = exercises.allSatisfy { $0.tests.allSatisfy { $0.status == "passed" } }
        let exitCode: Int32 = plan.buildError ? 2 : plan.crashed ? 3 : allPassed ? 0 : 1
        return CheckResult(lesson: lesson.path, exitCode: exitCode, steps: run.steps, exercises: exercises,
                           pointsEarned: exercises.reduce(0) { $0 + $1.pointsEarned },
                           pointsPossible: exercises.reduce(0) { $0 + $1.pointsPossible }, errors: errors)
    }

    /// The line in checks.swift that a Swift Testing id ends with (`…/checks.swift:LINE:COLUMN`).
    static func physicalLine(of id: String) -> Int? {
        let parts = id.split(separator: ":")
        guard parts.count >= 3, parts[parts.count - 3].hasSuffix("checks.swift") else { return nil }
        return Int(parts[parts.count - 2])
    }
}

/// What the checks have found so far, across the program's runs.
struct CheckProgress {
    struct TestInfo {
        var id: String
        var name: String
        /// The test block's step index.
        var step: Int
        var line: Int
        var exercise: String
        var points: Int
        var hidden: Bool

        func result(_ status: String, _ message: String?, _ line: Int) -> TestResult {
            TestResult(name: name, status: status, message: message, line: line, points: points, hidden: hidden)
        }
    }

    var plan: CheckPlan
    var results: [String: TestResult] = [:]   // by test id
    var infos: [String: TestInfo] = [:]
    /// Test ids (escaped) that crashed or hung: left out of the next run.
    var skip: [String] = []
    /// Why a run's events could not be trusted, if one's could not.
    var tampered: String?
    /// Exercises whose remaining tests were left out after one of them crashed or hung.
    var skippedAfterCrash: Set<String> = []
}

/// Places compile errors at Markdown lines, also those inside macro expansions (an `#expect` in a test block): the
/// notes after such an error say which line expanded the macro.
enum CompileErrorAttribution {
    static func errors(in diagnostics: [Diagnostic], lesson: Lesson) -> [(line: Int, message: String)] {
        var result: [(Int, String)] = []
        for (i, diagnostic) in diagnostics.enumerated() where diagnostic.severity == "error" {
            if diagnostic.file == lesson.path, lesson.step(containingLine: diagnostic.line) != nil {
                result.append((diagnostic.line, diagnostic.message))
                continue
            }
            let notes = diagnostics[(i + 1)...].prefix { $0.severity == "note" }
            if let note = notes.first(where: { $0.file == lesson.path && lesson.step(containingLine: $0.line) != nil }) {
                result.append((note.line, diagnostic.message))
            }
        }
        return result
    }
}
