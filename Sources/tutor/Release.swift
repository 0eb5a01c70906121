import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor release`: the student copy of lessons, with a manifest of what must not be edited.
    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a student copy of lessons: solutions become TODO(), hidden tests are removed, images come along.")

        @Argument(help: "Lesson files or folders of lessons (the instructor's copy).", completion: .file())
        var sources: [String]

        @Option(help: "Folder for the student copy and its release.json manifest.")
        var out: String

        func validate() throws {
            if sources.isEmpty { throw ValidationError("Give at least one lesson file or folder.") }
        }

        func run() throws {
            try CLIError.exitingOnError {
                let manifest = try Tutor.Release.make(sources: sources, into: URL(fileURLWithPath: out, isDirectory: true))
                let exercises = manifest.lessons.reduce(0) { $0 + $1.exercises.count }
                print("released \(manifest.lessons.count) lesson\(manifest.lessons.count == 1 ? "" : "s") "
                    + "(\(exercises) exercises) and \(manifest.files.count) other file\(manifest.files.count == 1 ? "" : "s") into \(out)")
            }
        }
    }
}
