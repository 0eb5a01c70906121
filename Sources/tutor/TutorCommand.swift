import ArgumentParser
import Foundation
import Engine

/// The `tutor` command: lessons (run, check) and one-off saliency tools (saliency, predict, bench).
@main
struct TutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutor",
        abstract: "Run and check SaliencyTutor lessons; compute saliency maps from the command line.",
        subcommands: [Run.self, Check.self, Saliency.self, Predict.self, Bench.self]
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
            // A malformed value or missing option (ArgumentParser's usage error, 64) is a bad argument like
            // every other: its message names the option, and the exit code is the project's 2.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
