import ArgumentParser
import Foundation
import Tutor

/// Options shared by `tutor run` and `tutor check`.
struct LessonOptions: ParsableArguments {
    @Option(help: "Folder for the HTML reports (default: Output, or the workspace's own Output folder for lessons in a workspace).")
    var output: String?

    @Flag(help: "Run the student form: solution regions become TODO(), the originals serve as references.")
    var student = false

    @Option(help: "An author's lesson whose exercises are the reference solutions.")
    var reference: String?

    @Option(help: "Default wall-clock limit of one step, in seconds.")
    var stepTimeout: Double = 120

    @Option(help: "Wall-clock limit of a whole lesson, in seconds.")
    var lessonTimeout: Double = 900

    @Flag(help: "Ignore cached results.")
    var noCache = false

    /// Where the reports go. Lessons in a learner's workspace keep theirs inside it, so that `make course` or a
    /// check of the author's lessons never overwrites the learner's report.
    func outputURL(for lessons: [String]) -> URL {
        if let output { return URL(fileURLWithPath: output, isDirectory: true) }
        if let first = lessons.first, let workspace = WorkspaceManifest.workspace(containing: first) {
            return workspace.appendingPathComponent("Output", isDirectory: true)
        }
        return URL(fileURLWithPath: "Output", isDirectory: true)
    }

    var runOptions: RunOptions {
        var options = RunOptions()
        options.studentForm = student
        options.referencePath = reference
        options.stepTimeout = stepTimeout
        options.lessonTimeout = lessonTimeout
        options.useCache = !noCache
        return options
    }
}
