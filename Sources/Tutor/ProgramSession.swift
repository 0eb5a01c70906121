import Foundation

/// What one execution of a lesson program produced.
struct Execution {
    var events: [RuntimeEvent]
    var stdout: Data
    var stderr: Data
    var termination: Termination
    /// The step that was running when the program stopped, if it stopped early.
    var failedStep: Int?
    /// Why the runner killed it, if it did.
    var killReason: String?
    var backtraceLine: Int?
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
    var checksLineMap: [Int: (step: Int, line: Int)] = [:]
    private var runCounter = 0

    init(lesson: Lesson, environment: BuildEnvironment, generator: ProgramGenerator, workDirectory: URL, included: Set<Int>) {
        self.lesson = lesson
        self.environment = environment
        self.generator = generator
        self.workDirectory = workDirectory
        self.included = included
    }

    var programPath: String { workDirectory.appendingPathComponent(tests == nil ? "lesson" : "checks-program").path }

    /// Writes the sources and compiles them; returns the diagnostics and whether a program was produced.
    func compile(typecheckOnly: Bool = false) throws -> (ok: Bool, diagnostics: [Diagnostic], log: String) {
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
                                 environment: ProcessInfo.processInfo.environment, stdoutPath: out, stderrPath: out)
        let termination = try process.run()
        let log = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (termination == .exited(0), DiagnosticParser.parse(log), log)
    }

    /// Runs the compiled program with per-step and whole-run wall-clock limits.
    /// With `quietLimit`, the run is also stopped when, after the last step, that file stops growing for that long
    /// (a check that hangs).
    func execute(stepTimeout: (Int) -> Double, deadline: Date, extraEnvironment: [String: String] = [:],
                 quietLimit: (path: String, seconds: Double, reason: String)? = nil,
                 onStep: (Int) -> Void = { _ in }) throws -> Execution {
        runCounter += 1
        let run = workDirectory.appendingPathComponent("run\(runCounter)")
        try? FileManager.default.removeItem(at: run)
        let assets = run.appendingPathComponent("assets")
        let backtraces = run.appendingPathComponent("backtraces")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: backtraces, withIntermediateDirectories: true)
        let eventsPath = run.appendingPathComponent("events.jsonl").path
        _ = FileManager.default.createFile(atPath: eventsPath, contents: nil)
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["TUTOR_EVENTS"] = eventsPath
        processEnvironment["TUTOR_ASSETS"] = assets.path
        processEnvironment["SWIFT_BACKTRACE"] =
            "enable=yes,format=json,output-to=\(backtraces.path),threads=crashed,registers=none,images=none,interactive=no"
        for (key, value) in extraEnvironment { processEnvironment[key] = value }

        let tail = EventTail(path: eventsPath)
        var currentStep: Int?
        var stepStart = Date()
        var killReason: String?
        var watchedSize = -1
        var lastGrowth = Date()
        let process = Subprocess(executable: programPath, arguments: [], environment: processEnvironment,
                                 stdoutPath: run.appendingPathComponent("stdout").path,
                                 stderrPath: run.appendingPathComponent("stderr").path)
        let termination = try process.run {
            tail.poll()
            let running = tail.runningStep
            if running != currentStep {
                currentStep = running
                stepStart = Date()
                if let running { onStep(running) }
            }
            let now = Date()
            if let step = currentStep, now.timeIntervalSince(stepStart) > stepTimeout(step) {
                killReason = "timed out after \(formatSeconds(stepTimeout(step))) (the step's wall-clock limit)"
                return true
            }
            if let quietLimit, tail.events.last?.kind == "programEnded" {
                let size = (try? FileManager.default.attributesOfItem(atPath: quietLimit.path)[.size] as? Int) ?? 0
                if size != watchedSize {
                    watchedSize = size
                    lastGrowth = now
                } else if now.timeIntervalSince(lastGrowth) > quietLimit.seconds {
                    killReason = quietLimit.reason
                    return true
                }
            }
            if now > deadline {
                killReason = "stopped: the lesson's wall-clock limit was reached"
                return true
            }
            return false
        }
        tail.poll()
        let stdout = FileManager.default.contents(atPath: run.appendingPathComponent("stdout").path) ?? Data()
        let stderr = FileManager.default.contents(atPath: run.appendingPathComponent("stderr").path) ?? Data()
        let finished = tail.events.contains { $0.kind == "programEnded" }
        let failedStep = finished && termination == .exited(0) ? nil : tail.runningStep
        return Execution(events: tail.events, stdout: stdout, stderr: stderr, termination: termination,
                         failedStep: failedStep, killReason: killReason,
                         backtraceLine: BacktraceReader.crashLine(in: backtraces, file: lesson.path))
    }

    /// The folder of the latest run's images.
    var latestAssets: URL { workDirectory.appendingPathComponent("run\(runCounter)/assets") }

    private func write(_ text: String, to url: URL) throws {
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw TutorError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : String(format: "%.1f s", seconds)
}
