import Foundation

/// Settings for running lessons.
public struct RunOptions: Sendable {
    /// Run the student form: solution regions replaced by `TODO()`, the originals kept as references.
    public var studentForm = false
    /// An author's lesson whose exercises serve as reference solutions (matched by exercise id).
    public var referencePath: String?
    /// Default wall-clock limit of one step, in seconds (a block's `timeout=` overrides it).
    public var stepTimeout: Double = 120
    /// Wall-clock limit of a whole lesson run, in seconds.
    public var lessonTimeout: Double = 900
    /// Reuse results of an unchanged lesson.
    public var useCache = true
    /// Where the libraries are (default: next to `tutor`).
    public var libraryDirectory: String?
    /// Called with progress lines (step started, summary).
    public var progress: (@Sendable (ProgressEvent) -> Void)?

    public init() {}
}

/// Progress of a lesson run, for the terminal.
public enum ProgressEvent: Sendable {
    case compiling(lesson: String)
    case running(lesson: String, attempt: Int)
    case step(lesson: String, line: Int)
    case finished(lesson: String, summary: String)
}

/// Runs a lesson: builds its steps into one program, runs it, and keeps going past failing steps.
public struct LessonRunner: Sendable {
    public var options: RunOptions
    public let environment: BuildEnvironment

    /// Locates the libraries and the compiler.
    public init(options: RunOptions) throws {
        self.options = options
        self.environment = try BuildEnvironment.locate(libraryDirectory: options.libraryDirectory)
    }

    /// Folder of cached results and work files.
    public var cacheRoot: URL {
        environment.libraryDirectory.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("tutor-cache")
    }

    /// The cache key of a lesson run: lesson text, options, references, libraries, toolchain.
    func cacheKey(_ lesson: Lesson, salt: String) -> String {
        var hasher = StableHasher()
        hasher.combine("tutor-run-v1")
        hasher.combine(salt)
        hasher.combine(lesson.path)
        hasher.combine(lesson.text)
        hasher.combine(options.studentForm ? "student" : "author")
        hasher.combine("\(options.stepTimeout)/\(options.lessonTimeout)")
        if let reference = options.referencePath {
            hasher.combine((try? String(contentsOfFile: reference, encoding: .utf8)) ?? reference)
        }
        hasher.combine(environment.buildID())
        hasher.combine(environment.toolchainID())
        return hasher.hexDigest
    }

    /// The code a learner's step holds in this run (the student form when asked).
    func code(of step: Step) -> [String] {
        options.studentForm && step.exerciseID != nil ? step.studentLines() : step.lines
    }

    /// Reference solutions by exercise step index.
    func references(for lesson: Lesson) throws -> [Int: ReplacementCode] {
        var result: [Int: ReplacementCode] = [:]
        if options.studentForm {
            for step in lesson.exercises where !step.solutionRegions.isEmpty {
                result[step.index] = ReplacementCode(path: lesson.path, firstLine: step.fenceLine + 1, lines: step.lines,
                                                     origin: "the reference solution")
            }
        }
        if let path = options.referencePath {
            let reference = try LessonParser.parse(file: path)
            for step in lesson.exercises {
                if let match = reference.exercises.first(where: { $0.exerciseID == step.exerciseID }) {
                    result[step.index] = ReplacementCode(path: reference.path, firstLine: match.fenceLine + 1,
                                                         lines: match.lines, origin: "the reference solution in \(path)")
                }
            }
        }
        return result
    }

    /// Runs a lesson (from the cache when unchanged) and returns every step's result.
    public func run(_ lesson: Lesson) throws -> LessonRunResult {
        let key = cacheKey(lesson, salt: "run")
        let work = cacheRoot.appendingPathComponent(key)
        let resultURL = work.appendingPathComponent("result.json")
        if options.useCache, let data = FileManager.default.contents(atPath: resultURL.path),
           var cached = try? JSONDecoder().decode(LessonRunResult.self, from: data) {
            cached.cached = true
            options.progress?(.finished(lesson: lesson.path, summary: summary(cached)))
            return cached
        }
        // Work in a private folder and move it into place at the end, so two runs of one lesson cannot collide.
        let scratch = cacheRoot.appendingPathComponent("\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var result = try execute(lesson, in: scratch)
        result.assetsDirectory = work.appendingPathComponent("assets").path
        try? JSONEncoder().encode(result).write(to: scratch.appendingPathComponent("result.json"))
        try? FileManager.default.removeItem(at: work)
        if (try? FileManager.default.moveItem(at: scratch, to: work)) == nil {
            // Another run finished first with the same key: its result is as good as ours.
            try? FileManager.default.removeItem(at: scratch)
        }
        pruneCache(keeping: 200)
        options.progress?(.finished(lesson: lesson.path, summary: summary(result)))
        return result
    }

    /// Keeps the cache from growing without bound: removes all but the `count` newest results.
    func pruneCache(keeping count: Int) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: cacheRoot.path), names.count > count else { return }
        let dated = names.compactMap { name -> (String, Date)? in
            let path = cacheRoot.appendingPathComponent(name).path
            guard let date = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { return nil }
            return (name, date)
        }.sorted { $0.1 > $1.1 }
        // Folders of runs still in progress end in .tmp or .check; they are young, so they stay.
        for (name, _) in dated.dropFirst(count) {
            try? manager.removeItem(at: cacheRoot.appendingPathComponent(name))
        }
    }

    func summary(_ result: LessonRunResult) -> String {
        var counts: [StepStatus: Int] = [:]
        for step in result.steps { counts[step.status, default: 0] += 1 }
        let ok = result.steps.filter { $0.status.isAsDeclared }.count
        var parts = ["\(ok)/\(result.steps.count) steps as declared"]
        for status in [StepStatus.compileError, .trapped, .timedOut, .todo, .notRun, .unexpectedSuccess] {
            if let n = counts[status] { parts.append("\(n) \(status.rawValue)") }
        }
        parts.append(result.cached ? "cached" : formatSeconds(result.seconds))
        return parts.joined(separator: ", ")
    }

    // MARK: - Execution

    /// The steps that belong in the lesson program (tests and compile-fail steps are built separately).
    static func programSteps(_ lesson: Lesson) -> [Step] {
        lesson.steps.filter { !$0.isTest && $0.expectation != .compileFail }
    }

    private func execute(_ lesson: Lesson, in work: URL) throws -> LessonRunResult {
        let started = Date()
        let deadline = started.addingTimeInterval(options.lessonTimeout)
        let references = try references(for: lesson)
        let generator = ProgramGenerator(lesson: lesson, codeOf: code(of:))
        let programSteps = Self.programSteps(lesson)
        let session = ProgramSession(lesson: lesson, environment: environment, generator: generator, workDirectory: work,
                                     included: Set(programSteps.map(\.index)))
        var results: [Int: StepResult] = [:]
        var provisional: [Int: StepResult] = [:]
        var warnings: [Int: [Diagnostic]] = [:]
        var attempt = 0
        var callers: [Int: String] = [:]   // step → exercise whose reference it needed

        func blank(_ step: Step, _ status: StepStatus, _ message: String?, line: Int? = nil) -> StepResult {
            StepResult(index: step.index, line: step.fenceLine, status: status, message: message, failureLine: line,
                       diagnostics: warnings[step.index] ?? [], output: [], stderr: "", seconds: 0, note: nil)
        }
        func exclude(_ index: Int) { session.included.remove(index) }

        // Exercises still at TODO() whose reference is at hand (the student form): report them and put the
        // reference in from the start, instead of discovering them one rerun at a time.
        for step in programSteps where step.exerciseID != nil {
            guard let reference = references[step.index],
                  let i = code(of: step).firstIndex(where: { Self.callsTODO($0) }) else { continue }
            var result = blank(step, .todo, "TODO not done", line: step.markdownLine(i))
            result.note = "later steps ran with \(reference.origin)"
            results[step.index] = result
            session.replacements[step.index] = reference
        }

        // Build-and-run loop: each failure removes (or replaces) the failing step and tries again.
        while attempt < programSteps.count * 2 + 4 {
            attempt += 1
            if Date() > deadline { break }
            options.progress?(.compiling(lesson: lesson.path))
            let compiled = try session.compile()
            let byStep = Dictionary(grouping: compiled.diagnostics.filter { $0.severity != "note" }) { diagnostic -> Int in
                owner(of: diagnostic, lesson: lesson, replacements: session.replacements)
            }
            for (index, diagnostics) in byStep where index >= 0 {
                warnings[index] = diagnostics
            }
            if !compiled.ok {
                let failing = byStep.filter { $0.key >= 0 && $0.value.contains { $0.severity == "error" } }
                guard !failing.isEmpty else {
                    throw TutorError.setup("the lesson program did not build and no error points at a step:\n\(compiled.log)")
                }
                for (index, diagnostics) in failing {
                    guard let step = lesson.step(index) else { continue }
                    let errors = diagnostics.filter { $0.severity == "error" }
                    let first = errors.first!
                    if attempt == 1 || session.replacements[index] != nil || step.exerciseID != nil {
                        if session.replacements[index] != nil {
                            // The reference itself does not build: report it and give up on this exercise.
                            results[index] = blank(step, .compileError, "the reference solution does not compile: \(first.message)", line: first.line)
                            session.replacements[index] = nil
                            exclude(index)
                            continue
                        }
                        results[index] = blank(step, .compileError, first.message, line: first.line)
                        if let reference = references[index] {
                            session.replacements[index] = reference
                            results[index]?.note = "later steps ran with \(reference.origin)"
                        } else {
                            exclude(index)
                        }
                    } else {
                        results[index] = blank(step, .notRun, "not run: it uses code from a step that failed (\(first.message))", line: first.line)
                        exclude(index)
                    }
                }
                continue
            }

            options.progress?(.running(lesson: lesson.path, attempt: attempt))
            let execution = try session.execute(stepTimeout: { index in lesson.step(index)?.timeout ?? options.stepTimeout },
                                                deadline: deadline,
                                                onStep: { index in options.progress?(.step(lesson: lesson.path, line: lesson.step(index)?.fenceLine ?? 0)) })
            let outputs = StepOutputSlicer(execution: execution, lesson: lesson, assets: session.latestAssets, work: work).slices()
            for (index, slice) in outputs where results[index] == nil && index != execution.failedStep {
                guard let step = lesson.step(index) else { continue }
                var result = blank(step, step.expectation == .noRun ? .compiledOnly : .ok, nil)
                result.output = slice.output
                result.stderr = slice.stderr
                result.seconds = slice.seconds
                if step.expectation == .shouldTrap {
                    result.status = .unexpectedSuccess
                    result.message = "expected a trap (`should-trap`), but the step finished"
                }
                provisional[index] = result
            }
            guard let failed = execution.failedStep, let step = lesson.step(failed) else {
                if execution.termination != .exited(0) && execution.failedStep == nil && !execution.events.contains(where: { $0.kind == "programEnded" }) {
                    throw TutorError.setup("the lesson program stopped before its first step (\(execution.termination)): \(String(decoding: execution.stderr, as: UTF8.self))")
                }
                break
            }
            var result = blank(step, .trapped, nil)
            if let slice = outputs[failed] {
                result.output = slice.output
                result.stderr = slice.stderr
                result.seconds = slice.seconds
            }
            let stderrText = result.stderr
            var culprit: Int?  // an exercise whose code failed while another step called it
            if let reason = execution.killReason {
                result.status = .timedOut
                result.message = reason
            } else if case .exited(86) = execution.termination, let todo = execution.events.last(where: { $0.kind == "todo" }) {
                let line = todo.int("line") ?? step.fenceLine
                let hint = todo.string("hint").flatMap { $0.isEmpty ? nil : $0 }
                let owner = namesLesson(todo.string("file"), lesson.path) ? lesson.step(containingLine: line) : nil
                if let owner, owner.index != failed {
                    culprit = owner.index
                    results[owner.index] = {
                        var r = provisional[owner.index] ?? blank(owner, .todo, nil)
                        r.status = .todo
                        r.message = "TODO not done" + (hint.map { ": \($0)" } ?? "") + " (reached from the step at line \(step.fenceLine))"
                        r.failureLine = line
                        return r
                    }()
                } else {
                    result.status = .todo
                    result.message = "TODO not done" + (hint.map { ": \($0)" } ?? "")
                    result.failureLine = line
                }
            } else {
                let fatal = BacktraceReader.fatalMessage(in: stderrText, file: lesson.path)
                let line = fatal?.line ?? execution.backtraceLine
                let message = fatal?.message ?? "the program stopped (\(execution.termination))"
                if step.expectation == .shouldTrap {
                    result.status = .failedAsDeclared
                    result.message = "trapped as declared: \(message)"
                    result.failureLine = line
                } else if let line, let owner = lesson.step(containingLine: line), owner.index != failed, owner.exerciseID != nil {
                    culprit = owner.index
                    var r = provisional[owner.index] ?? blank(owner, .trapped, nil)
                    r.status = .trapped
                    r.message = "\(message) (called from the step at line \(step.fenceLine))"
                    r.failureLine = line
                    results[owner.index] = r
                } else {
                    result.status = .trapped
                    result.message = message
                    result.failureLine = line
                }
            }
            if let culprit, let culpritStep = lesson.step(culprit) {
                let name = culpritStep.exerciseID.map { "exercise `\($0)`" } ?? "the step at line \(culpritStep.fenceLine)"
                if let reference = references[culprit], session.replacements[culprit] == nil {
                    session.replacements[culprit] = reference
                    results[culprit]?.note = "later steps ran with \(reference.origin)"
                    callers[failed] = culpritStep.exerciseID ?? name
                    continue  // rerun: the calling step gets its result from the run on the reference
                }
                result.status = .notRun
                result.message = "not run: it needs \(name), which " + (results[culprit]?.status == .todo ? "is not done (TODO)" : "failed")
                result.failureLine = results[culprit]?.failureLine
            }
            results[failed] = result
            exclude(failed)
        }

        // Steps not decided yet: take the provisional result of the latest run, or mark them not run.
        for step in programSteps where results[step.index] == nil {
            if let result = provisional[step.index], session.included.contains(step.index) {
                results[step.index] = result
            } else {
                results[step.index] = blank(step, .notRun, Date() > deadline ? "not run: the lesson's wall-clock limit was reached" : "not run")
            }
        }
        for (index, exercise) in callers {
            results[index]?.reliesOnReferenceOf = exercise
            results[index]?.note = "the learner's `\(exercise)` stopped this step; it ran with the reference solution"
        }
        // Steps that ran while a reference stood in for an exercise say so.
        if !session.replacements.isEmpty {
            let firstReplaced = session.replacements.keys.min() ?? 0
            for step in programSteps where step.index > firstReplaced && results[step.index]?.status == .ok {
                if results[step.index]?.note == nil { results[step.index]?.note = "ran with reference solutions for the unfinished exercises" }
            }
        }
        // compile-fail steps: typecheck each after the steps before it.
        for step in lesson.steps where step.expectation == .compileFail {
            let prefix = session.included.filter { $0 < step.index }
            let checker = ProgramSession(lesson: lesson, environment: environment, generator: generator, workDirectory: work,
                                         included: prefix.union([step.index]))
            checker.replacements = session.replacements
            let compiled = try checker.compile(typecheckOnly: true)
            let own = compiled.diagnostics.filter { $0.severity == "error" && lesson.step(containingLine: $0.line)?.index == step.index && $0.file == lesson.path }
            if own.isEmpty {
                results[step.index] = blank(step, .unexpectedSuccess, compiled.ok ? "expected a compile error (`compile-fail`), but the step compiled" : "the steps before it do not compile")
            } else {
                var result = blank(step, .failedAsDeclared, "failed to compile as declared: \(own[0].message)", line: own[0].line)
                result.diagnostics = own
                results[step.index] = result
            }
        }
        let ordered = lesson.steps.filter { !$0.isTest }.compactMap { results[$0.index] }
        // Keep every image the report needs in one folder.
        let assets = work.appendingPathComponent("assets")
        try? FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        return LessonRunResult(lessonPath: lesson.path, steps: ordered, seconds: Date().timeIntervalSince(started),
                               assetsDirectory: assets.path, cached: false)
    }

    /// True for a code line that calls `TODO(` outside a comment.
    static func callsTODO(_ line: String) -> Bool {
        guard let call = line.range(of: "TODO(") else { return false }
        if let comment = line.range(of: "//"), comment.lowerBound < call.lowerBound { return false }
        return true
    }

    /// Which step a diagnostic belongs to (-1: none).
    private func owner(of diagnostic: Diagnostic, lesson: Lesson, replacements: [Int: ReplacementCode]) -> Int {
        if diagnostic.file == lesson.path, let step = lesson.step(containingLine: diagnostic.line) {
            if let replacement = replacements[step.index], replacement.path == lesson.path { return step.index }
            return step.index
        }
        for (index, replacement) in replacements where replacement.path == diagnostic.file {
            if diagnostic.line >= replacement.firstLine && diagnostic.line < replacement.firstLine + replacement.lines.count {
                return index
            }
        }
        return -1
    }
}
