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
    /// The folder the reports go to: never an input of the lesson, so writing a report does not invalidate its cache
    /// (a workspace keeps its reports inside itself).
    public var reportFolder: String?
    /// Stop at the first step that does not compile, traps, times out or is tampered with, instead of leaving it out
    /// and building again (grading: the exercise to blame is replaced and the lesson run once more anyway).
    public var stopAtFirstFailure = false
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

    /// The cache key of a lesson run: the command, the lesson's absolute path and text, the working directory,
    /// the files the lesson can read (`LessonInputs`), options, references, libraries, toolchain. Nil when the
    /// inputs cannot be fingerprinted (too many files): such a lesson always runs.
    func cacheKey(_ lesson: Lesson, salt: String) -> String? {
        guard let inputs = LessonInputs(lesson: lesson, packageRoot: environment.packageRoot, cacheRoot: cacheRoot,
                                        reportFolder: options.reportFolder).fingerprint() else {
            return nil
        }
        var hasher = StableHasher()
        hasher.combine("tutor-run-v3")
        hasher.combine(salt)
        hasher.combine(URL(fileURLWithPath: lesson.path).standardizedFileURL.resolvingSymlinksInPath().path)
        hasher.combine(FileManager.default.currentDirectoryPath)
        hasher.combine(inputs)
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
                                                         lines: match.lines, origin: "the reference solution (\(path))")
                }
            }
        }
        return result
    }

    /// Runs a lesson (from the cache when unchanged) and returns every step's result.
    public func run(_ lesson: Lesson) throws -> LessonRunResult {
        try run(lesson, piggyback: nil, command: "run")
    }

    /// Runs a lesson for `command` (run, check, check-hidden: they build different programs, so they are cached
    /// apart); when it is not cached and `piggyback` is given, its checks ride along on the first run.
    func run(_ lesson: Lesson, piggyback: PiggybackChecks?, command: String) throws -> LessonRunResult {
        let key = PhaseTimes.shared.measure("cache key") { cacheKey(lesson, salt: "run:" + command) }
        let work = cacheRoot.appendingPathComponent(key ?? "uncached-\(getpid())")
        if options.useCache, key != nil, let cached = cachedResult(in: work) {
            options.progress?(.finished(lesson: lesson.path, summary: summary(cached)))
            return cached
        }
        // Work in a private folder and move it into place at the end, so two runs of one lesson cannot collide.
        let scratch = cacheRoot.appendingPathComponent("\(key ?? "uncached").\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        Interruption.removeOnInterrupt(scratch.path)
        defer { Interruption.keep(scratch.path) }
        var result: LessonRunResult
        let reads = ReadCollector()
        do { result = try execute(lesson, in: scratch, piggyback: piggyback, reads: reads) } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
        result.assetsDirectory = work.appendingPathComponent("assets").path
        // Keep the result and its images; programs, sources, compiler logs and raw runs go (they may quote checks).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? [] where name != "assets" {
            try? FileManager.default.removeItem(at: scratch.appendingPathComponent(name))
        }
        try? JSONEncoder().encode(result).write(to: scratch.appendingPathComponent("result.json"))
        ReadTrace(paths: reads.paths, runnerFolder: runnerFolder).merge(into: scratch)
        try? FileManager.default.removeItem(at: work)
        if (try? FileManager.default.moveItem(at: scratch, to: work)) == nil {
            // Another run finished first with the same key: its result is as good as ours.
            try? FileManager.default.removeItem(at: scratch)
        }
        pruneCache(keeping: 200)
        options.progress?(.finished(lesson: lesson.path, summary: summary(result)))
        return result
    }

    /// The result kept in the cache folder `work`, while every file its programs read is as it was.
    func cachedResult(in work: URL) -> LessonRunResult? {
        guard let data = SafeFiles.readRegularFile(in: work, name: "result.json"),
              var cached = try? JSONDecoder().decode(LessonRunResult.self, from: data),
              ReadTrace.load(from: work)?.isCurrent ?? true else { return nil }
        cached.cached = true
        cached.assetsDirectory = work.appendingPathComponent("assets").path
        return cached
    }

    /// The folder of everything the runner itself writes (results, builds, shared libraries): not a lesson's input.
    var runnerFolder: URL { cacheRoot.deletingLastPathComponent() }

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
        for status in [StepStatus.compileError, .trapped, .timedOut, .todo, .notRun, .unexpectedSuccess, .tampered] {
            if let n = counts[status] { parts.append("\(n) \(status.rawValue)") }
        }
        parts.append(result.cached ? "cached" : formatSeconds(result.seconds))
        return parts.joined(separator: ", ")
    }

}
