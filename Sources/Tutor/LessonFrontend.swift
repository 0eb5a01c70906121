import Foundation

/// What `tutor run` and `tutor check` do, so the command files stay thin.
public struct LessonFrontend {
    public var runOptions: RunOptions
    public var outputDirectory: URL

    /// A frontend writing reports into `outputDirectory`.
    public init(runOptions: RunOptions, outputDirectory: URL) {
        var runOptions = runOptions
        runOptions.reportFolder = runOptions.reportFolder ?? outputDirectory.path
        self.runOptions = runOptions
        self.outputDirectory = outputDirectory
    }

    /// Expands folders to the `*.md` lessons inside them (sorted; README.md skipped).
    public static func lessonFiles(_ arguments: [String]) throws -> [String] {
        var files: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw TutorError.io(path: argument, reason: "no such lesson file or folder")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: argument)
                    .filter { $0.hasSuffix(".md") && $0.lowercased() != "readme.md" }.sorted()
                files += names.map { argument.hasSuffix("/") ? argument + $0 : argument + "/" + $0 }
            } else {
                files.append(argument)
            }
        }
        return files
    }

    /// `tutor run`: runs each lesson, writes its report and (for several lessons) an index; 0 when every step ran as declared.
    public func run(_ arguments: [String], json: String? = nil) -> Int32 {
        let progress = TerminalProgress()
        var options = runOptions
        options.progress = progress.handle
        let files: [String]
        let runner: LessonRunner
        do {
            files = try Self.lessonFiles(arguments)
            runner = try LessonRunner(options: options)
        } catch {
            printError(error)
            return 2
        }
        var status: Int32 = 0
        var entries: [IndexPage.Entry] = []
        var results: [LessonRunResult] = []
        for file in files {
            do {
                let lesson = try LessonParser.parse(file: file)
                progress.begin(lesson: file)
                let result = try runner.run(lesson)
                results.append(result)
                let url = try HTMLReport(lesson: lesson, run: result, studentForm: options.studentForm).write(to: outputDirectory)
                progress.end(lesson: file, summary: runner.summary(result), report: url.path, ok: result.allAsDeclared)
                if !result.allAsDeclared { status = max(status, 1) }
                entries.append(IndexPage.Entry(title: lesson.title, file: url.lastPathComponent, summary: runner.summary(result), ok: result.allAsDeclared))
            } catch {
                printError(error)
                status = 2
                entries.append(IndexPage.Entry(title: file, file: nil, summary: "could not run: \(error)", ok: false))
            }
        }
        if files.count > 1 || arguments.contains(where: { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeDirectory }) {
            try? IndexPage(entries: entries).render().write(to: outputDirectory.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let url = URL(fileURLWithPath: json)
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            do { try encoder.encode(results).write(to: url) } catch {
                printError(TutorError.io(path: json, reason: "cannot write the JSON summary: \(error.localizedDescription)"))
                status = 2
            }
        }
        return status
    }

    /// `tutor check`: runs the lesson and its checks; writes the report and optionally a JSON summary.
    /// Returns 0 all checks pass, 1 some fail, 2 lesson or build error, 3 crash or timeout.
    /// Hidden tests' names and messages reach `json` only with `revealHidden` (instructors).
    public func check(_ path: String, options checkOptions: CheckOptions, json: String?, revealHidden: Bool = false) -> Int32 {
        let progress = TerminalProgress()
        var options = runOptions
        options.progress = progress.handle
        let workspace = WorkspaceLesson.prepare(path, options: &options)
        do {
            let lesson = try PhaseTimes.shared.measure("parse") { try LessonParser.parse(file: path) }
            progress.begin(lesson: path)
            let checker = CheckRunner(runner: try LessonRunner(options: options), options: checkOptions)
            let (run, checks) = try checker.check(lesson)
            // The terminal first: the learner's result does not wait for the report to embed its images.
            FileHandle.standardError.write(Data(TerminalFeedback(lesson: lesson, run: run, checks: checks,
                                                                 style: .forStandardError(), studentForm: options.studentForm).render().utf8))
            let report = outputDirectory.appendingPathComponent("\(lesson.name).html")
            progress.end(lesson: path, summary: "checks \(checks.pointsEarned)/\(checks.pointsPossible) points" + (checks.cached == true ? ", cached" : ""),
                         report: report.path, ok: checks.exitCode == 0)
            for line in workspace?.afterCheck(checks, lesson: lesson) ?? [] { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
            _ = try PhaseTimes.shared.measure("report") {
                try CheckCache(runner: checker.runner, options: checkOptions)
                    .writeReport(lesson, run: run, checks: checks, studentForm: options.studentForm, to: outputDirectory)
            }
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let url = URL(fileURLWithPath: json)
                try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try encoder.encode(revealHidden ? checks : checks.redactingHidden(lesson: lesson)).write(to: url)
            }
            return checks.exitCode
        } catch {
            printError(error)
            return 2
        }
    }

    private func printError(_ error: Error) {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
    }
}

/// One line of progress per lesson on stderr; on a terminal, a live line with the running step and elapsed time.
final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let live = isatty(STDERR_FILENO) != 0
    private var started = Date()
    private var lesson = ""

    func begin(lesson: String) {
        lock.withLock { started = Date(); self.lesson = lesson }
    }

    var handle: @Sendable (ProgressEvent) -> Void {
        { [self] event in
            guard live else { return }
            let text: String
            switch event {
            case .compiling(let lesson): text = "\(lesson): compiling"
            case .running(let lesson, let attempt): text = "\(lesson): running" + (attempt > 1 ? " (attempt \(attempt))" : "")
            case .step(let lesson, let line): text = "\(lesson): running the step at line \(line)"
            case .finished: return
            }
            let elapsed = lock.withLock { Date().timeIntervalSince(started) }
            FileHandle.standardError.write(Data("\r\u{1B}[K▸ \(text) · \(String(format: "%.1f s", elapsed))".utf8))
        }
    }

    func end(lesson: String, summary: String, report: String, ok: Bool) {
        let clear = live ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data("\(clear)\(ok ? "✓" : "✗") \(lesson) — \(summary) → \(report)\n".utf8))
    }
}

/// `Output/index.html`: links to every lesson's report.
struct IndexPage {
    struct Entry {
        var title: String
        var file: String?
        var summary: String
        var ok: Bool
    }

    var entries: [Entry]

    func render() -> String {
        var items = ""
        for entry in entries {
            let link = entry.file.map { "<a href=\"\(escape($0))\">\(escape(entry.title))</a>" } ?? escape(entry.title)
            items += "<li class=\"\(entry.ok ? "good" : "bad")\">\(link) <span class=\"timing\">\(escape(entry.summary))</span></li>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark"><title>SaliencyTutor course</title><style>\(ReportStyle.css)
        .index { max-width: 50em; margin: 2em auto; padding: 0 1em; } .index li { margin: .6em 0; }
        .index li.good::marker { color: var(--ok); } .index li.bad::marker { color: var(--bad); }</style></head>
        <body><main class="index"><h1>SaliencyTutor course</h1><ol>\(items)</ol></main></body></html>
        """
    }
}
