import Foundation

/// What one execution of a lesson program produced, after its events were validated.
struct Execution {
    /// Accepted events up to the program's end (steps, images, TODO).
    var events: [RuntimeEvent]
    /// Accepted Swift Testing records (check programs).
    var testRecords: [String]
    var stdout: Data
    var stderr: Data
    var termination: Termination
    /// The step that was running when the program stopped, if it stopped early (or was caught tampering).
    var failedStep: Int?
    /// Why the runner killed it, if it did.
    var killReason: String?
    var backtraceLine: Int?
    /// Why the run counts as tampered with, if it does (the events were not a well-formed run).
    var tampered: String?
    /// The program reached its end (every planned step ran).
    var programEnded: Bool
    /// The function test that was running when the program stopped.
    var runningTest: String?
    /// The latest `TODO()` the program reached (in a step or a check).
    var todo: RuntimeEvent?
    /// The files the program opened and changed (its trace).
    var files = FileTrace()
}

/// Limits of one execution.
struct ExecutionLimits {
    /// Wall-clock limit of each step, by step index.
    var stepTimeout: (Int) -> Double
    /// When the whole run must stop.
    var deadline: Date
    /// After the last step: stop when no test record arrived for this long (a check that hangs), and why.
    var quietTest: (seconds: Double, reason: String)?
}

/// Builds and runs one lesson program in a work folder, with the steps and replacements of the current plan.
final class ProgramSession {
    let lesson: Lesson
    let environment: BuildEnvironment
    let generator: ProgramGenerator
    let workDirectory: URL
    var included: Set<Int>
    var replacements: [Int: ReplacementCode] = [:]
    /// Check programs: the test blocks to compile in.
    var tests: [Step]?
    /// Ask the program for images written for speed (checks' runs, whose reports are not published).
    var fastImages = false
    var checksLineMap: [Int: (step: Int, line: Int)] = [:]
    private var runCounter = 0
    private var checksRunCounter = 0
    /// Where persistent build folders live (nil: always build from scratch); one per program kind, opened on first use.
    var incrementalRoot: URL?
    private var incrementalBuilds: [String: IncrementalBuild] = [:]
    private var incremental: IncrementalBuild? {
        guard let root = incrementalRoot, BuildEnvironment.fastBuild else { return nil }
        // A check program with references standing in gets a folder of its own: the learner's own check program
        // (built later, without them) would otherwise recompile every swapped exercise each time.
        let kind = tests == nil ? "lesson" : replacements.isEmpty ? "checks" : "checks-beside"
        if let open = incrementalBuilds[kind] { return open }
        let build = IncrementalBuild(cacheRoot: root, lesson: lesson, kind: kind)
        incrementalBuilds[kind] = build
        return build
    }
    /// True when a check program built now could run its checks beside the steps: it would be built in pieces
    /// (objects to read), with no hidden checks.
    var canBuildChecksApart: Bool {
        SideBySideChecks.enabled && incrementalRoot != nil && BuildEnvironment.fastBuild
    }

    /// The program the latest compile produced.
    private(set) var builtProgram: String?
    /// The latest compile built a check program whose checks can run beside its steps (`SideBySideChecks`).
    private(set) var checksApart = false
    /// Every file the session's programs opened (their read trace), for the cache.
    private(set) var reads = Set<String>()

    init(lesson: Lesson, environment: BuildEnvironment, generator: ProgramGenerator, workDirectory: URL, included: Set<Int>) {
        self.lesson = lesson
        self.environment = environment
        self.generator = generator
        self.workDirectory = workDirectory
        self.included = included
    }

    var programPath: String { builtProgram ?? workDirectory.appendingPathComponent(tests == nil ? "lesson" : "checks-program").path }

    /// Writes the sources and compiles them; returns the diagnostics and whether a program was produced.
    /// Incremental first where it applies; on errors (or where it does not apply) from scratch, whose diagnostics
    /// the callers know how to place.
    /// `replaced`: exercises whose reference stands in and whose checks are left out; the checks may not reach them.
    func compile(typecheckOnly: Bool = false, replaced: Set<Int> = []) throws -> (ok: Bool, diagnostics: [Diagnostic], log: String) {
        builtProgram = nil
        checksApart = false
        if !typecheckOnly, let incremental, let built = try compileIncrementally(incremental), built.ok {
            builtProgram = incremental.programPath
            if tests != nil && SideBySideChecks.enabled {
                let exercises = lesson.exercises.filter { included.contains($0.index) }
                checksApart = SideBySideChecks.keepApart(
                    folder: incremental.folder,
                    exercises: exercises.filter { !replaced.contains($0.index) }.map { "exercise-\($0.index).o" },
                    references: exercises.filter { replaced.contains($0.index) }.map { "exercise-\($0.index).o" })
            }
            return built
        }
        return try compileFromScratch(typecheckOnly: typecheckOnly)
    }

    /// The incremental build, when every included exercise is declarations only and no hidden check is compiled in.
    private func compileIncrementally(_ build: IncrementalBuild) throws -> (ok: Bool, diagnostics: [Diagnostic], log: String)? {
        if let tests, tests.contains(where: { if case .test(_, _, true) = $0.role { true } else { false } }) { return nil }
        let exercises = lesson.exercises.filter { included.contains($0.index) }
        guard exercises.allSatisfy({ ExerciseLayout.isDeclarationsOnly(replacements[$0.index]?.lines ?? generator.codeOf($0)) }) else {
            return nil
        }
        let separate = Set(exercises.map(\.index))
        var sources = [IncrementalBuild.Source(
            name: "main.swift", text: generator.mainSource(included: included, replacements: replacements, checks: tests != nil,
                                                           separate: separate, handle: build.handle), owns: { _ in true })]
        for step in exercises {
            let replacement = replacements[step.index]
            let path = replacement?.path ?? lesson.path
            let lines = replacement.map { $0.firstLine..<($0.firstLine + $0.lines.count) } ?? (step.fenceLine + 1)..<(step.fenceLine + 1 + step.lines.count)
            sources.append(IncrementalBuild.Source(name: "exercise-\(step.index).swift",
                                                   text: generator.exerciseSource(step, replacement: replacement),
                                                   owns: { $0.file == path && lines.contains($0.line) }))
        }
        if let tests {
            let checks = generator.checksSource(tests: tests)
            checksLineMap = checks.lineMap
            let owned = Set(tests.map(\.index))
            let lesson = self.lesson
            sources.append(IncrementalBuild.Source(name: "checks.swift", text: checks.source, owns: { diagnostic in
                diagnostic.file.hasSuffix("checks.swift")
                    || (diagnostic.file == lesson.path && lesson.step(containingLine: diagnostic.line).map { owned.contains($0.index) } == true)
            }))
        }
        return try build.build(sources: sources, environment: environment)
    }

    private func compileFromScratch(typecheckOnly: Bool) throws -> (ok: Bool, diagnostics: [Diagnostic], log: String) {
        let main = workDirectory.appendingPathComponent("main.swift")
        try write(generator.mainSource(included: included, replacements: replacements, checks: tests != nil), to: main)
        var sources = [main.path]
        if let tests {
            let checks = generator.checksSource(tests: tests)
            checksLineMap = checks.lineMap
            let url = workDirectory.appendingPathComponent("checks.swift")
            try write(checks.source, to: url)
            sources.append(url.path)
        }
        let out = workDirectory.appendingPathComponent("compile.out").path
        let process = Subprocess(executable: environment.swiftc,
                                 arguments: environment.compileArguments(sources: sources, output: programPath, typecheckOnly: typecheckOnly),
                                 environment: ProcessInfo.processInfo.environment, stdoutPath: out, stderrPath: out, contained: false)
        let termination = try PhaseTimes.shared.measure(typecheckOnly ? "typecheck" : "compile+link") { try process.run() }
        let log = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out)  // it may quote hidden checks; callers get it in memory only
        // The program runs next to its sources: the checks' source (hidden ones too) must not be there to read.
        try? FileManager.default.removeItem(at: workDirectory.appendingPathComponent("checks.swift"))
        return (termination == .exited(0), DiagnosticParser.parse(log), log)
    }

    /// The steps compiled into the current program, in order.
    var plannedSteps: [Int] { lesson.steps.map(\.index).filter(included.contains) }

    /// Runs the compiled program under `limits`, over a fresh channel, and validates what it sent.
    /// `skip` lists test ids (regular expressions) the checks leave out; `part` which of a check program's parts run;
    /// `onStep` hears of each step as it begins.
    func execute(limits: ExecutionLimits, skip: [String] = [], part: ProgramRun.Part = .whole,
                 onStep: (Int) -> Void = { _ in }) throws -> Execution {
        let run = try prepareRun(skip: skip, part: part)
        let execution = try run.execute(limits: limits, onStep: onStep)
        reads.formUnion(execution.files.all)
        return execution
    }

    /// Starts the checks of the compiled check program on a thread of their own (`ProgramRun.Part.checksOnly`),
    /// to run beside the steps' run; `wait()` gives their execution.
    func startChecks(limits: ExecutionLimits) throws -> BackgroundRun {
        BackgroundRun(run: try prepareRun(skip: [], part: .checksOnly), limits: limits)
    }

    /// Adds what a run started with `startChecks` opened to the session's read trace.
    func merge(_ execution: Execution) { reads.formUnion(execution.files.all) }

    /// Makes the run's folders and settings; a checks-only run gets a folder of its own beside the latest run's.
    private func prepareRun(skip: [String], part: ProgramRun.Part) throws -> ProgramRun {
        let name: String
        if part == .checksOnly {
            checksRunCounter += 1
            name = "checks\(checksRunCounter)"
        } else {
            runCounter += 1
            name = "run\(runCounter)"
        }
        let run = workDirectory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: run)
        let assets = run.appendingPathComponent("assets")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: run.appendingPathComponent("backtraces"), withIntermediateDirectories: true)
        var settings: [String: Any] = ["assets": assets.path]
        if fastImages { settings["fastImages"] = true }
        if tests != nil {
            settings["skip"] = skip
            settings["filter"] = [ProgramGenerator.suiteFilter]
            if part == .stepsOnly { settings["stepsOnly"] = true }
            if part == .checksOnly { settings["checksOnly"] = true }
        }
        return ProgramRun(program: programPath, folder: run, lessonPath: lesson.path, settings: settings,
                          plannedSteps: part == .checksOnly ? [] : plannedSteps, expectsChecks: tests != nil && part != .stepsOnly)
    }

    /// The folder of the latest run's images.
    var latestAssets: URL { workDirectory.appendingPathComponent("run\(runCounter)/assets") }

    private func write(_ text: String, to url: URL) throws {
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw TutorError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Watches the limits of a running program: each step's own, the per-test quiet limit, the whole run's deadline.
struct StepWatch {
    var limits: ExecutionLimits
    private(set) var killReason: String?
    private var currentStep: Int?
    private var stepStart = Date()

    init(limits: ExecutionLimits) { self.limits = limits }

    /// Looks at the sequence so far; returns a step that has just begun, if one did.
    mutating func observe(_ sequence: EventSequence) -> Int? {
        var began: Int?
        if sequence.openStep != currentStep {
            currentStep = sequence.openStep
            stepStart = Date()
            began = currentStep
        }
        let now = Date()
        if let step = currentStep, now.timeIntervalSince(stepStart) > limits.stepTimeout(step) {
            killReason = "timed out after \(formatSeconds(limits.stepTimeout(step))) (the step's wall-clock limit)"
        } else if let quiet = limits.quietTest, sequence.programEnded, let last = sequence.lastTestActivity,
                  now.timeIntervalSince(last) > quiet.seconds {
            killReason = quiet.reason
        } else if now > limits.deadline {
            killReason = "stopped: the lesson's wall-clock limit was reached"
        }
        return began
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : String(format: "%.1f s", seconds)
}

/// One run of a compiled lesson program: its folder, its settings and what the runner expects it to send.
/// Holds no reference to the session, so a run can go on another thread.
struct ProgramRun: Sendable {
    /// Which parts of a check program run: both (steps, then checks), the steps only, or the checks only.
    enum Part: Sendable { case whole, stepsOnly, checksOnly }

    let program: String
    let folder: URL
    let lessonPath: String
    nonisolated(unsafe) let settings: [String: Any]
    let plannedSteps: [Int]
    let expectsChecks: Bool
    /// The checks alone, beside a run of the steps.
    private var checksOnly: Bool { plannedSteps.isEmpty && expectsChecks }

    /// Runs the program under `limits` over a fresh channel and validates what it sent; `stop` ends it early when it
    /// returns true (checked every 10 ms).
    func execute(limits: ExecutionLimits, stop: () -> Bool = { false }, onStep: (Int) -> Void = { _ in }) throws -> Execution {
        let channel = try ProgramChannel(settings: settings)
        let backtraces = folder.appendingPathComponent("backtraces")
        var processEnvironment = ProcessInfo.processInfo.environment
        for key in processEnvironment.keys where key.hasPrefix("TUTOR_") { processEnvironment[key] = nil }
        processEnvironment["SWIFT_BACKTRACE"] =
            "enable=yes,format=json,output-to=\(backtraces.path),threads=crashed,registers=none,images=none,interactive=no"

        var sequence = EventSequence(token: channel.token, plannedSteps: plannedSteps, expectsChecks: expectsChecks)
        var watch = StepWatch(limits: limits)
        var process = Subprocess(executable: program, arguments: [], environment: processEnvironment,
                                 stdoutPath: folder.appendingPathComponent("stdout").path,
                                 stderrPath: folder.appendingPathComponent("stderr").path, channel: channel)
        // The checks beside the steps yield the CPU to them: the steps take longer, and the checks fill their gaps
        // (lesson 01: result ~70 ms sooner than at equal priority, measured side by side).
        if checksOnly { process.niceness = 10 }
        var stopped = false
        // The checks beside the steps are timed apart: their time overlaps the steps' run.
        let termination = try PhaseTimes.shared.measure(checksOnly ? "checks beside" : "run") { try process.run(onEvents: { sequence.consume($0) }, shouldKill: {
            if let began = watch.observe(sequence) { onStep(began) }
            if stop() { stopped = true }
            return stopped || watch.killReason != nil || sequence.tampered != nil
        }) }
        let files = FileTrace(lines: channel.reads)
        let killed = termination == .killed && sequence.tampered == nil
        sequence.finish(termination, killed: killed)
        let stdout = FileManager.default.contents(atPath: folder.appendingPathComponent("stdout").path) ?? Data()
        let stderr = FileManager.default.contents(atPath: folder.appendingPathComponent("stderr").path) ?? Data()
        // Every step ran: in a check program what follows belongs to the checks; in a lesson program it must end cleanly.
        let stepsDone = sequence.programEnded && (expectsChecks || (sequence.tampered == nil && termination == .exited(0)))
        // Caught tampering between steps (or after the last): blame the step that began last.
        let failedStep = stepsDone ? nil : sequence.openStep ?? (sequence.tampered != nil ? sequence.lastBegun : nil)
        return Execution(events: sequence.events, testRecords: sequence.testRecords, stdout: stdout, stderr: stderr,
                         termination: termination, failedStep: failedStep,
                         killReason: killed ? (stopped ? "stopped by the runner" : watch.killReason) : nil,
                         backtraceLine: BacktraceReader.crashLine(in: backtraces, file: lessonPath),
                         tampered: sequence.tampered, programEnded: sequence.programEnded, runningTest: sequence.runningTest,
                         todo: sequence.lastTODO, files: files)
    }
}

/// A `ProgramRun` going on a thread of its own.
final class BackgroundRun: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var cancelled = false
    private var outcome: Result<Execution, Error>?

    init(run: ProgramRun, limits: ExecutionLimits) {
        nonisolated(unsafe) let limits = limits
        Thread.detachNewThread { [self] in
            let result = Result { try run.execute(limits: limits, stop: { self.lock.withLock { self.cancelled } }) }
            lock.withLock { outcome = result }
            done.signal()
        }
    }

    /// Stops the program (its result is no longer wanted); `wait()` still returns once it has ended.
    func cancel() { lock.withLock { cancelled = true } }

    /// Blocks until the run has ended and returns what it did.
    func wait() throws -> Execution {
        done.wait()
        done.signal()
        return try lock.withLock { outcome! }.get()
    }
}
