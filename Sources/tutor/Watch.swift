import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor watch`: re-check a lesson on every save.
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a lesson each time it is saved, print the result and rewrite its report (Ctrl-C stops, exit 130).")

        @Argument(help: "A lesson file, or a folder of lessons (each saved lesson is checked).", completion: .file())
        var lessons: [String]

        @Flag(help: "Also run hidden tests (instructors).")
        var withHidden = false

        @Flag(help: "Compare file times every 0.2 s instead of using inotify.")
        var poll = false

        @Option(help: "Wall-clock limit of one test, in seconds.")
        var testTimeout: Double = 30

        @OptionGroup var options: LessonOptions

        func validate() throws {
            if lessons.isEmpty { throw ValidationError("Give a lesson file or a folder of lessons.") }
            if testTimeout <= 0 { throw ValidationError("--test-timeout must be positive, got \(testTimeout).") }
        }

        func run() throws {
            var checkOptions = CheckOptions()
            checkOptions.withHidden = withHidden
            checkOptions.testTimeout = testTimeout
            Interruption.install()
            var watch = LessonWatch(frontend: LessonFrontend(runOptions: options.runOptions, outputDirectory: options.outputURL(for: lessons)),
                                    checkOptions: checkOptions)
            watch.polling = poll
            do { try watch.run(lessons) } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
