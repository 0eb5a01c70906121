import ArgumentParser
import Engine
import Foundation

/// The `tutor` command: lessons (run, check) and one-off saliency tools (saliency, predict, bench).
@main
struct TutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutor",
        abstract: "Run and check SaliencyTutor lessons; compute saliency maps from the command line.",
        subcommands: [Run.self, Check.self, Watch.self, Site.self, Release.self, Grade.self, GradeWorker.self, Gradebook.self,
                      Saliency.self, Predict.self, Bench.self, PointingGameCommand.self, Faithfulness.self, SanityCheck.self,
                      WorkspaceCommand.self, Hint.self, Reset.self, ProgressCommand.self]
    )

    static func main() async {
        // OpenBLAS picks slow kernels on some CPUs; fix the environment before any BLAS call.
        OpenBLASSetup.reexecIfNeeded()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // ArgumentParser ends usage errors (a malformed number, a bad choice) with 64; every bad input of
            // tutor exits 2, with an `error:` line that names the option, then the parser's help for it.
            if exitCode(for: error).rawValue == ExitCode.validationFailure.rawValue {
                let detail = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
                let text = (["error: \(message(for: error))"] + detail).joined(separator: "\n") + "\n"
                FileHandle.standardError.write(Data(text.utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
