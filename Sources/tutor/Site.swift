import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor site`: the course as a static multi-page HTML site.
    struct Site: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the course as a static HTML site (home, one page per lesson, search, API reference).",
            discussion: """
            Runs every lesson (cached when unchanged) and writes DIR/index.html, DIR/<lesson>.html, DIR/search.html,
            DIR/assets/ and DIR/media/. All addresses are relative: open DIR/index.html from disk or serve DIR from
            any path. Exit 0 when the site is sound and every lesson ran as declared, 1 when a lesson had problems or
            the site audit found a broken link, 2 on bad input.
            """)

        @Argument(help: "Lesson files or folders of lessons (a folder's README.md becomes the home page's introduction).",
                  completion: .file())
        var lessons: [String]

        @Option(help: "Folder to write the site to.")
        var out: String

        @Flag(help: "Leave the reference solutions out of the site entirely (no 'show the solution' toggles).")
        var noSolutions = false

        @Option(help: "A folder of symbol graphs (scripts/build-api-docs.sh, `make api`) to render as the API reference in DIR/api.")
        var api: String?

        @Option(help: "Default wall-clock limit of one step, in seconds.")
        var stepTimeout: Double = 120

        @Flag(help: "Ignore cached lesson results.")
        var noCache = false

        func validate() throws {
            if lessons.isEmpty { throw ValidationError("Give at least one lesson file or folder.") }
            if out.isEmpty { throw ValidationError("--out needs a folder.") }
            if let api {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: api, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ValidationError("--api \(api): no such folder (build it with `make api`).")
                }
            }
        }

        func run() throws {
            var runOptions = RunOptions()
            runOptions.stepTimeout = stepTimeout
            runOptions.useCache = !noCache
            // One line per lesson as it finishes: a cold build runs every lesson and takes minutes.
            runOptions.progress = { event in
                if case .finished(let lesson, let summary) = event {
                    FileHandle.standardError.write(Data("\(lesson) — \(summary)\n".utf8))
                }
            }
            var options = SiteOptions(outputDirectory: URL(fileURLWithPath: out, isDirectory: true))
            options.includeSolutions = !noSolutions
            options.apiDirectory = api.map { URL(fileURLWithPath: $0, isDirectory: true) }
            let summary: SiteSummary
            do {
                let files = try LessonFrontend.lessonFiles(lessons)
                let intro = lessons.first { argument in
                    var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) && isDirectory.boolValue
                }.map { URL(fileURLWithPath: $0).appendingPathComponent("README.md").path }
                summary = try SiteBuilder(runner: try LessonRunner(options: runOptions), options: options)
                    .build(lessonFiles: files, intro: intro)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            }
            let audit = SiteAudit.problems(in: options.outputDirectory)
            let gaps = summary.documentationGaps.map { "API used by the lessons: \($0)" }
            for problem in summary.lessonProblems + audit + gaps { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            let megabytes = String(format: "%.2f", Double(summary.bytes) / 1_000_000)
            print("\(summary.pages.count) pages, \(megabytes) MB → \(options.outputDirectory.appendingPathComponent("index.html").path)")
            if !summary.lessonProblems.isEmpty || !audit.isEmpty || !gaps.isEmpty { throw ExitCode(1) }
        }
    }
}
