import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor run`: execute lessons and write their HTML reports.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run lessons and write Output/<lesson>.html (exit 0 when every step ran as declared).")

        @Argument(help: "Lesson files or folders of lessons.", completion: .file())
        var lessons: [String]

        @Option(help: "Write every step's result (status, Markdown line, message) as JSON to this file.")
        var json: String?

        @OptionGroup var options: LessonOptions

        func validate() throws {
            if lessons.isEmpty { throw ValidationError("Give at least one lesson file or folder.") }
        }

        func run() throws {
            Interruption.install()
            let status = LessonFrontend(runOptions: options.runOptions, outputDirectory: options.outputURL(for: lessons)).run(lessons, json: json)
            if status != 0 { throw ExitCode(status) }
        }
    }
}
