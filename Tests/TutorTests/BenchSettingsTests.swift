import Foundation
import Testing

/// `tutor bench` with the multi-pass methods' sizes (--steps, --samples, shared with `tutor saliency`), so
/// BENCHMARKS.md can state them. Serialized: the runs share two cores.
@Suite("tutor bench method settings", .serialized)
struct BenchSettingsTests {
    @Test("bench states the steps of integrated gradients and the samples of SmoothGrad", arguments: [
        (["--method", "integrated-gradients", "--steps", "3"], "\"steps\": 3"),
        (["--method", "smoothgrad", "--samples", "2", "--batch-size", "2"], "\"samples\": 2, \"batch_size\": 2"),
    ] as [([String], String)])
    func benchSizes(arguments: [String], field: String) throws {
        let output = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--repeat", "1", "--json"] + arguments)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains(field), "\(output.stdout)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(object?["median_ms"] is Double)
    }

    @Test("bench refuses settings of another method or out of range, naming the argument", arguments: [
        (["--method", "integrated-gradients", "--steps", "0"], "--steps"),
        (["--method", "smoothgrad", "--samples", "0"], "--samples"),
        (["--method", "gradient", "--samples", "4"], "--samples"),
        (["--method", "rise", "--steps", "4"], "--steps"),
        (["--method", "forward", "--noise", "0.1"], "--noise"),
        (["--method", "integrated-gradients", "--layer", "_blocks.3"], "--layer"),
    ] as [([String], String)])
    func benchBadSettings(arguments: [String], argument: String) throws {
        let output = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--repeat", "1"] + arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains(argument), "\(arguments): \(output.stderr)")
    }
}
