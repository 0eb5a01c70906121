import Engine
import Foundation
import Models
import Testing

/// Deterministic mutation fuzzing of the checkpoint loaders over the committed fixtures (issue 12): every
/// mutated file either loads or fails with a one-line `ModelError` naming it; none may trap, hang or allocate
/// without bound. A failing case number reproduces with `MutationFuzzer(seed:cases:)`.
@Suite struct CheckpointFuzzTests {
    @Test(arguments: ["tiny_zip.pth", "tiny_legacy.pth", "tiny.safetensors"])
    func mutatedCheckpointsFailCleanly(seedName: String) throws {
        let seed = [UInt8](try Data(contentsOf: Fixtures.checkpoint(seedName)))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(getpid())-\(seedName)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("case" + (seedName.hasSuffix(".safetensors") ? ".safetensors" : ".pth"))
        var fuzzer = MutationFuzzer(seed: seed, cases: 1_500)
        var loaded = 0, failed = 0
        while let bytes = fuzzer.next() {
            try Data(bytes).write(to: url)
            do {
                _ = try loadStateDict(from: url)
                loaded += 1
            } catch let error as ModelError {
                failed += 1
                let message = error.description
                if !message.contains(url.path) || message.contains("\n") {
                    Issue.record("case \(fuzzer.caseNumber - 1) of \(seedName): \(message)")
                }
            }
        }
        // Most mutations must be caught (the mutator aims at fields the loaders check).
        #expect(failed > loaded, "\(seedName): \(loaded) loaded, \(failed) failed")
    }
}
