import ArgumentParser
import Engine

/// The `tutor` command: lessons (run, check) and one-off saliency tools (saliency, predict, bench).
@main
struct TutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutor",
        abstract: "Run and check SaliencyTutor lessons; compute saliency maps from the command line.",
        subcommands: [Run.self, Check.self, Release.self, Grade.self, GradeWorker.self, Gradebook.self, Saliency.self, Predict.self, Bench.self]
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
            exit(withError: error)
        }
    }
}
