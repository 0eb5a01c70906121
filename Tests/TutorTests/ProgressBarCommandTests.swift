import Foundation
import Testing

/// One progress bar for every long command, on a terminal only. Serialized: the runs share two cores.
@Suite("one progress bar everywhere", .serialized)
struct ProgressBarCommandTests {
    static let input = EvaluationCommandTests.lite0Input

    /// What a terminal shows for `arguments` (script(1) gives the command a pseudo-terminal), and the same
    /// command's stderr on a pipe.
    static func terminalAndPipe(_ arguments: [String]) throws -> (terminal: TutorProcess.Output, pipe: TutorProcess.Output) {
        let command = ([TutorProcess.executable.path] + arguments).joined(separator: " ")
        let terminal = try TutorProcess.runTool("/usr/bin/script", ["-qefc", command, "/dev/null"])
        let pipe = try TutorProcess.run(arguments)
        return (terminal, pipe)
    }

    @Test("saliency (RISE, SmoothGrad, extremal perturbation) draws the bar with counts and an ETA; nothing on a pipe",
          arguments: [
            (["--method", "rise", "--num-masks", "64", "--batch-size", "16"], "rise [", "64/64 100%"),
            (["--method", "smoothgrad", "--samples", "3"], "smoothgrad [", "3/3 100%"),
            (["--method", "extremal-perturbation", "--max-iter", "2"], "extremal-perturbation [", "2/2 100%"),
          ] as [([String], String, String)])
    func saliencyBar(arguments: [String], label: String, counts: String) throws {
        let out = TutorProcess.outputFolder("bar-" + arguments[1]).appendingPathComponent("map.npy").path
        let (terminal, pipe) = try Self.terminalAndPipe(["saliency", "--model", "efficientnet-lite0", "--input", Self.input,
                                                         "--target", "281", "--out", out] + arguments)
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains(label) && terminal.stdout.contains(counts), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("total"), "the last frame states the total time: \(terminal.stdout)")
        #expect(pipe.status == 0, "\(pipe.stderr)")
        #expect(!pipe.stderr.contains("\r") && !pipe.stderr.contains(label), "\(pipe.stderr)")
    }

    @Test("sanity-check shows the bar on a terminal only")
    func sanityCheckBar() throws {
        let (terminal, pipe) = try Self.terminalAndPipe(["sanity-check", "--model", "efficientnet-lite0", "--input", Self.input,
                                                         "--target", "281", "--method", "gradient", "--max-steps", "2"])
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("sanity-check [") && terminal.stdout.contains("3/3 100%"), "\(terminal.stdout)")
        #expect(pipe.status == 0, "\(pipe.stderr)")
        #expect(!pipe.stderr.contains("sanity-check ["), "\(pipe.stderr)")
    }
}
