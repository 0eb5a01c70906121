import Foundation

/// Settings for `tutor check`.
public struct CheckOptions: Sendable {
    /// Also compile and run `hidden` test blocks (instructor runs).
    public var withHidden = false
    /// Wall-clock limit of one check program run, in seconds.
    public var timeout: Double = 300
    /// Wall-clock limit of one test, in seconds (the runner stops a test that hangs and records it as timed out).
    public var testTimeout: Double = 30

    public init() {}
}

/// Runs a lesson's Swift Testing checks against the learner's code and scores them.
///
/// The check program is the lesson program (the steps that ran, with the learner's exercise code) plus one
/// `@Suite` per exercise; after the last step it hands over to Swift Testing, whose JSON event stream is the
/// result channel. Tests run one at a time; a test that crashes or hangs is recorded from the partial stream
/// and the program is run again without it.
public struct CheckRunner: Sendable {
    public var runner: LessonRunner
    public var options: CheckOptions

    /// A check runner that runs lessons with `runner`.
    public init(runner: LessonRunner, options: CheckOptions) {
        self.runner = runner
        self.options = options
    }

    private struct TestInfo {
        var id: String
        var name: String
        var step: Step
        var line: Int
        var exercise: String
        var points: Int
        var hidden: Bool
    }

    /// Runs the lesson (cached when unchanged) and then its checks.
    public func check(_ lesson: Lesson) throws -> (run: LessonRunResult, checks: CheckResult) {
        let tests = lesson.steps.filter {
            if case .test(_, _, let hidden) = $0.role { return options.withHidden || !hidden }
            return false
        }
        let key = runner.cacheKey(lesson, salt: options.withHidden ? "check-hidden" : "check")
        let work = runner.cacheRoot.appendingPathComponent("\(key).\(getpid()).check")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let timeoutReason = "timed out: the test ran longer than \(formatSeconds(options.testTimeout)) (the runner's limit per test)"
        let piggyback = PiggybackChecks(tests: tests, eventsPath: work.appendingPathComponent("tests-0.jsonl").path,
                                        testTimeout: options.testTimeout, timeoutReason: timeoutReason)
        let run = try runner.run(lesson, piggyback: piggyback)
        let statuses = Dictionary(uniqueKeysWithValues: run.steps.map { ($0.index, $0) })
        var errors: [String] = []
        var buildError = run.steps.contains { result in
            result.status == .compileError && lesson.step(result.index)?.exerciseID == nil
        }
        if buildError { errors.append("the lesson has compile errors outside the exercises") }

        // The learner's program: steps that ran (their exercise code, never the reference) and every exercise
        // that compiled; steps that failed stay out.
        var included = Set<Int>()
        for step in LessonRunner.programSteps(lesson) {
            guard let result = statuses[step.index] else { continue }
            // Steps that only ran on a reference solution would stop the learner's program: leave them out
            // (steps using their results then drop out at compile time).
            let keep = step.exerciseID != nil
                ? result.status != .compileError
                : (result.status == .ok || result.status == .compiledOnly) && result.reliesOnReferenceOf == nil
            if keep { included.insert(step.index) }
        }
        let generator = ProgramGenerator(lesson: lesson, codeOf: runner.code(of:))
        let session = ProgramSession(lesson: lesson, environment: runner.environment, generator: generator,
                                     workDirectory: work, included: included)
        var activeTests = tests
        var testResults: [String: TestResult] = [:]   // by test id
        var infos: [String: TestInfo] = [:]
        var blockFailures: [Int: String] = [:]        // test step index → why its tests did not run
        var skip: [String] = []
        // A step that trapped or hung is a crash for the verdict, even when every check passes.
        var crashed = run.steps.contains { $0.status == .trapped || $0.status == .timedOut }
        let exerciseStatus = Dictionary(uniqueKeysWithValues: lesson.exercises.compactMap { step in
            statuses[step.index].map { (step.exerciseID!, $0) }
        })
        // Exercises still at TODO: their tests cannot pass; record them without running.
        for test in activeTests {
            guard case .test(let id, _, _) = test.role, let status = exerciseStatus[id] else { continue }
            if status.status == .todo { blockFailures[test.index] = "not run: exercise `\(id)` is not done (TODO)" }
            if status.status == .compileError {
                blockFailures[test.index] = "not run: exercise `\(id)` does not compile"
                buildError = true
            }
        }
        activeTests.removeAll { blockFailures[$0.index] != nil }

        var attempts = 0
        let deadline = Date().addingTimeInterval(options.timeout)
        // Steps get the lesson's own limits; the check program as a whole gets `timeout`.
        let stepLimit = { (index: Int) in lesson.step(index)?.timeout ?? runner.options.stepTimeout }
        // The lesson's own run may already have run these very checks on this very program.
        var ride = piggyback.outcome.flatMap { outcome in
            outcome.included == session.included && activeTests.map(\.index) == tests.map(\.index) ? outcome : nil
        }
        while !activeTests.isEmpty, attempts < 3 * (tests.count + lesson.steps.count) + 4 {
            attempts += 1
            session.tests = activeTests
            let execution: Execution
            let eventsPath: String
            if let outcome = ride {
                ride = nil
                execution = outcome.execution
                eventsPath = piggyback.eventsPath
                session.checksLineMap = outcome.lineMap
            } else {
                let compiled = try session.compile()
                if !compiled.ok {
                    let compileErrors = compiled.diagnostics.filter { $0.severity == "error" && $0.file == lesson.path }
                    var removed = false
                    for error in compileErrors {
                        guard let step = lesson.step(containingLine: error.line) else { continue }
                        if step.isTest {
                            if activeTests.contains(where: { $0.index == step.index }) {
                                blockFailures[step.index] = "the checks do not compile: \(lesson.path):\(error.line): \(error.message)"
                                activeTests.removeAll { $0.index == step.index }
                                removed = true
                                buildError = true
                            }
                        } else if session.included.contains(step.index) {
                            session.included.remove(step.index)
                            removed = true
                        }
                    }
                    guard removed else {
                        errors.append("the check program does not build:\n" + compiled.log)
                        buildError = true
                        break
                    }
                    continue
                }
                eventsPath = work.appendingPathComponent("tests-\(attempts).jsonl").path
                try? FileManager.default.removeItem(atPath: eventsPath)
                execution = try session.execute(
                    stepTimeout: stepLimit, deadline: deadline,
                    extraEnvironment: ["TUTOR_TEST_EVENTS": eventsPath, "TUTOR_TEST_SKIP": skip.joined(separator: "\n")],
                    quietLimit: (eventsPath, options.testTimeout, timeoutReason))
            }
            let stream = TestEventStream(path: eventsPath)
            if !stream.runStarted {
                // The lesson part stopped before Swift Testing started: leave that step out and try again.
                if let failed = execution.failedStep, session.included.contains(failed) {
                    session.included.remove(failed)
                    continue
                }
                errors.append("the check program stopped before the tests started (\(execution.killReason ?? "\(execution.termination)"))")
                crashed = true
                break
            }
            for record in stream.tests {
                guard let (step, line) = physicalLine(of: record.id).flatMap({ session.checksLineMap[$0] }),
                      let testStep = lesson.step(step), case .test(let exercise, let points, let hidden) = testStep.role else { continue }
                infos[record.id] = TestInfo(id: record.id, name: record.displayName ?? record.name, step: testStep,
                                            line: line, exercise: exercise, points: points, hidden: hidden)
            }
            var running: String?
            for (id, outcome) in stream.outcomes {
                guard let info = infos[id] else { continue }
                switch outcome {
                case .passed:
                    testResults[id] = TestResult(name: info.name, status: "passed", message: nil, line: info.line, points: info.points, hidden: info.hidden)
                case .failed(let message, let line):
                    testResults[id] = TestResult(name: info.name, status: "failed", message: message, line: line ?? info.line, points: info.points, hidden: info.hidden)
                case .running:
                    running = id
                }
            }
            if let id = running, let info = infos[id] {
                // This test took the process down (or hung): record it from the partial stream and skip it next time.
                let stderr = String(decoding: execution.stderr, as: UTF8.self)
                var status = "crashed", message: String
                if let reason = execution.killReason {
                    status = "timed-out"; message = reason
                } else if case .exited(86) = execution.termination, let todo = execution.events.last(where: { $0.kind == "todo" }) {
                    status = "failed"
                    message = "TODO not done at line \(todo.int("line") ?? 0)"
                } else if let fatal = BacktraceReader.fatalMessage(in: stderr, file: lesson.path) {
                    message = "crashed: \(fatal.message)"
                } else {
                    message = "crashed (\(execution.termination))"
                }
                let line = execution.backtraceLine ?? info.line
                testResults[id] = TestResult(name: info.name, status: status, message: message, line: line, points: info.points, hidden: info.hidden)
                if status != "failed" { crashed = true }
                skip.append(NSRegularExpression.escapedPattern(for: id))
                continue
            }
            if execution.killReason != nil || (execution.termination != .exited(0) && execution.termination != .exited(1)) {
                errors.append("the check program stopped unexpectedly (\(execution.killReason ?? "\(execution.termination)"))")
                crashed = true
            }
            break
        }

        // Assemble per exercise, in lesson order; tests that never reported are "not run".
        var exercises: [ExerciseResult] = []
        for exercise in lesson.exercises {
            let id = exercise.exerciseID!
            var results: [TestResult] = []
            for test in tests {
                guard case .test(let target, let points, let hidden) = test.role, target == id else { continue }
                let ids = infos.values.filter { $0.step.index == test.index }.sorted { $0.line < $1.line }
                if let why = blockFailures[test.index] ?? (ids.isEmpty ? "not run" : nil) {
                    // One entry per @Test we can see in the source (the compiler never told us their names).
                    let names = testNames(in: test)
                    for (name, line) in names.isEmpty ? [("tests at line \(test.fenceLine)", test.fenceLine)] : names {
                        results.append(TestResult(name: name, status: "not-run", message: why, line: line, points: points, hidden: hidden))
                    }
                    continue
                }
                for info in ids {
                    results.append(testResults[info.id] ?? TestResult(name: info.name, status: "not-run", message: "not run",
                                                                     line: info.line, points: points, hidden: hidden))
                }
            }
            let earned = results.filter { $0.status == "passed" }.reduce(0) { $0 + $1.points }
            let possible = results.reduce(0) { $0 + $1.points }
            exercises.append(ExerciseResult(id: id, line: exercise.fenceLine, pointsEarned: earned, pointsPossible: possible, tests: results))
        }
        let earned = exercises.reduce(0) { $0 + $1.pointsEarned }
        let possible = exercises.reduce(0) { $0 + $1.pointsPossible }
        let allPassed = exercises.allSatisfy { $0.tests.allSatisfy { $0.status == "passed" } }
        let exitCode: Int32 = buildError ? 2 : crashed ? 3 : allPassed ? 0 : 1
        let checks = CheckResult(lesson: lesson.path, exitCode: exitCode, steps: run.steps, exercises: exercises,
                                 pointsEarned: earned, pointsPossible: possible, errors: errors)
        return (run, checks)
    }

    /// The line in checks.swift that a Swift Testing id ends with (`…/checks.swift:LINE:COLUMN`).
    private func physicalLine(of id: String) -> Int? {
        let parts = id.split(separator: ":")
        guard parts.count >= 3, parts[parts.count - 3].hasSuffix("checks.swift") else { return nil }
        return Int(parts[parts.count - 2])
    }

    /// `@Test` functions named in a test block, with their Markdown lines.
    private func testNames(in step: Step) -> [(String, Int)] {
        var names: [(String, Int)] = []
        for (i, line) in step.lines.enumerated() {
            guard line.contains("@Test") else { continue }
            let rest = step.lines[i...].joined(separator: " ")
            if let displayStart = line.range(of: "@Test(\""), let end = line[displayStart.upperBound...].firstIndex(of: "\"") {
                names.append((String(line[displayStart.upperBound..<end]), step.markdownLine(i)))
            } else if let funcRange = rest.range(of: "func ") {
                let name = rest[funcRange.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                names.append((name + "()", step.markdownLine(i)))
            }
        }
        return names
    }
}
