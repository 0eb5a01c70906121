import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor check`: run a lesson and its Swift Testing checks.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a lesson's checks (exit 0 pass, 1 failing checks, 2 lesson or build error, 3 crash or timeout).")

        @Argument(help: "The lesson file.", completion: .file())
        var lesson: String

        @Flag(help: "Also run hidden tests (instructors).")
        var withHidden = false

        @Option(help: "Write a JSON summary (steps, exercises, tests, points) to this file.")
        var json: String?

        @Flag(help: "Instructors: put hidden tests' names, messages and lines into the --json summary (never the report).")
        var revealHidden = false

        @Option(help: "Wall-clock limit of the whole check program, in seconds.")
        var checkTimeout: Double = 300

        @Option(help: "Wall-clock limit of one test, in seconds.")
        var testTimeout: Double = 30

        @Flag(help: "Print where the time went (parse, screen, compile+link, run, report) on standard error.")
        var timings = false

        @OptionGroup var options: LessonOptions

        func run() throws {
            var checkOptions = CheckOptions()
            checkOptions.withHidden = withHidden
            checkOptions.timeout = checkTimeout
            checkOptions.testTimeout = testTimeout
            Interruption.install()
            let status = LessonFrontend(runOptions: options.runOptions, outputDirectory: options.outputURL(for: [lesson]))
                .check(lesson, options: checkOptions, json: json, revealHidden: revealHidden)
            if timings { FileHandle.standardError.write(Data("timings: \(PhaseTimes.shared.summary)\n".utf8)) }
            if status != 0 { throw ExitCode(status) }
        }
    }
}
