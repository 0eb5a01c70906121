import ArgumentParser
import Engine
import Foundation

/// The `tutor` command: lessons (run, check) and one-off saliency tools (saliency, predict, bench).
@main
struct TutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutor",
        abstract: "Run and check SaliencyTutor lessons; compute saliency maps from the command line.",
        subcommands: [Run.self, Check.self, Saliency.self, Predict.self, Bench.self, SanityCheck.self]
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
            // Usage mistakes the parser catches (a malformed number, a missing value) exit 2 like every other bad input.
            if exitCode(for: error) == .validationFailure {
                let detail = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
                FileHandle.standardError.write(Data((["error: \(message(for: error))"] + detail).joined(separator: "\n").utf8 + [10]))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
