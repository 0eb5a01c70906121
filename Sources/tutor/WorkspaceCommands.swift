import ArgumentParser
import Foundation
import Tutor

extension TutorCommand {
    /// `tutor workspace`: the learner's own copy of the course.
    struct WorkspaceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "workspace",
            abstract: "Make your own copy of the course to work in (exercises as TODO(), hints kept); re-running adds new lessons and never overwrites your work.")

        @Argument(help: "Lesson files or folders of lessons.", completion: .file())
        var sources: [String] = ["Lessons"]

        @Option(help: "The workspace folder.")
        var out: String = "Workspace"

        @Flag(help: "Replace lessons you have edited with a fresh copy (each one is backed up under .tutor/backups first).")
        var force = false

        func run() throws {
            try CLIError.exitingOnError {
                let outcomes = try Tutor.Workspace.make(sources: sources, into: URL(fileURLWithPath: out, isDirectory: true), force: force)
                for outcome in outcomes where outcome.action != .unchanged {
                    var line = "\(outcome.action.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(out)/\(outcome.file)"
                    if outcome.action == .kept { line += " (you have edited it; --force replaces it, keeping a backup)" }
                    if let backup = outcome.backup { line += " (your copy: \(out)/\(backup))" }
                    print(line)
                }
                let made = outcomes.filter { $0.action == .created }.count
                print("workspace \(out): \(outcomes.count) lesson\(outcomes.count == 1 ? "" : "s")"
                    + (made > 0 ? ", \(made) new" : "") + ". Start with `tutor progress \(out)`.")
            }
        }
    }

    /// `tutor hint`: the next hint of an exercise.
    struct Hint: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the next hint of an exercise (one more each time; --all lists them).")

        @Argument(help: "The lesson file.", completion: .file())
        var lesson: String

        @Argument(help: "The exercise id (the `id=` of its `swift exercise` block).")
        var exercise: String

        @Flag(help: "Show every hint of the exercise.")
        var all = false

        func run() throws {
            try CLIError.exitingOnError {
                let answer = try HintRequest.next(lesson, exercise: exercise, all: all)
                for (number, text) in answer.shown {
                    print("hint \(number) of \(answer.total) for `\(exercise)`: \(text)")
                }
                if !all {
                    print(answer.exhausted ? "(that was the last hint; `--all` lists them all)"
                                           : "(run it again for the next hint)")
                }
            }
        }
    }

    /// `tutor reset`: one exercise back to its TODO() form.
    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put one exercise of a workspace lesson back in its TODO() form, keeping a backup of your code.")

        @Argument(help: "The lesson file (in a workspace).", completion: .file())
        var lesson: String

        @Argument(help: "The exercise id.")
        var exercise: String

        func run() throws {
            try CLIError.exitingOnError {
                let outcome = try ExerciseReset.reset(lesson, exercise: exercise)
                let folder = (lesson as NSString).deletingLastPathComponent
                if let backup = outcome.backup {
                    print("reset `\(exercise)` (\(lesson):\(outcome.line)) to its TODO() form; your code is in \(folder.isEmpty ? "" : folder + "/")\(backup)")
                } else {
                    print("`\(exercise)` (\(lesson):\(outcome.line)) is already in its TODO() form; nothing changed")
                }
            }
        }
    }

    /// `tutor progress`: where a learner stands, from recorded checks.
    struct ProgressCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "progress",
            abstract: "Show every lesson and exercise of a workspace with its state and points, and what to do next (instant: nothing runs).")

        @Argument(help: "The workspace folder.", completion: .directory)
        var workspace: String = "Workspace"

        func run() throws {
            try CLIError.exitingOnError {
                print(try WorkspaceProgress.read(workspace: workspace).render(), terminator: "")
            }
        }
    }
}
