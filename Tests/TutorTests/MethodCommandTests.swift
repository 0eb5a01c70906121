import Foundation
import Testing

/// End-to-end: excitation backprop, integrated gradients, SmoothGrad and `tutor sanity-check` on the pretrained
/// EfficientNet-Lite0, and every bad input of their options (exit 2, the argument named, no trap).
@Suite("tutor saliency: EBP, IG, SmoothGrad; tutor sanity-check", .serialized)
struct MethodCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/AttributionTests/Fixtures")
    static let input = fixtures.appendingPathComponent("inputs/lite0_chelsea_margin_224.npy").path

    func saliency(_ method: String, _ extra: [String], out: String? = nil) throws -> TutorProcess.Output {
        let file = out ?? TutorProcess.outputFolder("cli-method-\(method)").appendingPathComponent("m.npy").path
        return try TutorProcess.run(["saliency", "--model", "efficientnet-lite0", "--input", Self.input, "--method", method,
                                     "--target", "282", "--out", file] + extra)
    }

    @Test("saliency --method excitation-backprop / contrastive-excitation-backprop matches the TorchRay fixtures",
          arguments: ["efficientnet-lite0-ebp-_blocks.10", "efficientnet-lite0-cebp-_blocks.10-_bn1"])
    func excitationMatchesFixture(_ id: String) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("excitation_manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(manifest["cases"] as? [[String: Any]])
        let fixture = try #require(cases.first { $0["id"] as? String == id })
        let method = try #require(fixture["method"] as? String), layer = try #require(fixture["layer"] as? String)
        let target = try #require(fixture["target"] as? Int)
        var extra = ["--layer", layer]
        if let contrast = fixture["contrastLayer"] as? String { extra += ["--contrast-layer", contrast] }
        let out = TutorProcess.outputFolder("cli-\(id)").appendingPathComponent("map.npy")
        let output = try TutorProcess.run(["saliency", "--model", "efficientnet-lite0", "--input", Self.input, "--method", method,
                                           "--target", String(target), "--out", out.path] + extra)
        #expect(output.status == 0, "\(output.stderr)")
        let map = try FloatNPY(contentsOf: out)
        let reference = try FloatNPY(contentsOf: Self.fixtures.appendingPathComponent(try #require(fixture["output"] as? String)))
        #expect(map.shape == reference.shape)
        let tolerance = max(1e-3, 3 * (fixture["float64RelativeL2"] as? Double ?? 0))
        #expect(map.relativeL2Error(to: reference) <= tolerance)
    }

    @Test("integrated-gradients and smoothgrad write input-sized maps")
    func integratedGradientsAndSmoothGrad() throws {
        for (method, extra) in [("integrated-gradients", ["--steps", "4", "--batch-size", "4"]),
                                ("smoothgrad", ["--samples", "3", "--noise", "0.1", "--seed", "7"])] {
            let out = TutorProcess.outputFolder("cli-\(method)").appendingPathComponent("map.npy")
            let output = try saliency(method, extra, out: out.path)
            #expect(output.status == 0, "\(method): \(output.stderr)")
            let map = try FloatNPY(contentsOf: out)
            #expect(map.shape == [1, 1, 224, 224])
            #expect(map.scalars.contains { $0 != 0 })
            // Not a terminal: no progress line on stderr.
            #expect(!output.stderr.contains("\r"))
        }
    }

    @Test("sanity-check --max-steps 2 --json writes the steps with their similarity measures")
    func sanityCheckJSON() throws {
        let json = TutorProcess.outputFolder("cli-sanity").appendingPathComponent("sanity.json")
        let png = json.deletingLastPathComponent().appendingPathComponent("sanity.png")
        let output = try TutorProcess.run(["sanity-check", "--model", "efficientnet-lite0", "--input", Self.input,
                                           "--method", "gradient", "--target", "282", "--max-steps", "2",
                                           "--json", json.path, "--out", png.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("_fc") && output.stdout.contains("spearman"), "\(output.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["randomized"] as? String } == ["_fc", "_bn1"])
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(bytes.count > 1000 && Array(bytes[0..<4]) == [0x89, 0x50, 0x4E, 0x47], "no PNG grid at \(png.path)")
        for step in steps {
            let rho = try #require(step["spearman_abs"] as? Double)
            #expect((-1...1).contains(rho))
            #expect(step["ssim"] is Double && step["top_k_overlap"] is Double)
        }
    }

    // MARK: bad input

    @Test("bad method settings exit 2 naming the argument")
    func badSettings() throws {
        try expectUsageError(saliency("contrastive-excitation-backprop", ["--layer", "_blocks.10"]),
                             argument: "--contrast-layer", mentions: ["contrast layer"])
        try expectUsageError(saliency("contrastive-excitation-backprop", ["--layer", "_blocks.10", "--contrast-layer", "_blocks.99"]),
                             argument: "--contrast-layer", mentions: ["_blocks.99", "_blocks."])
        try expectUsageError(saliency("contrastive-excitation-backprop", ["--layer", "_blocks.10", "--contrast-layer", "_blocks.3"]),
                             argument: "--contrast-layer", mentions: ["after"])
        try expectUsageError(saliency("contrastive-excitation-backprop", ["--layer", "_blocks.10", "--contrast-layer", "_bn1",
                                                                          "--classifier-layer", "_avg_poolin"]),
                             argument: "--classifier-layer", mentions: ["_avg_poolin"])
        try expectUsageError(saliency("excitation-backprop", ["--layer", "_blocks.99"]), argument: "--layer", mentions: ["_blocks.99"])
        try expectUsageError(saliency("gradient", ["--contrast-layer", "_bn1"]), argument: "--contrast-layer",
                             mentions: ["contrastive-excitation-backprop"])
        try expectUsageError(saliency("integrated-gradients", ["--steps", "0"]), argument: "--steps", mentions: ["0"])
        try expectUsageError(saliency("integrated-gradients", ["--integration", "simpson"]), argument: "--integration",
                             mentions: ["simpson", "gausslegendre"])
        try expectUsageError(saliency("integrated-gradients", ["--layer", "_blocks.3"]), argument: "--layer", mentions: ["input"])
        try expectUsageError(saliency("integrated-gradients", ["--baseline", "/nonexistent/b.npy"]), argument: "--baseline",
                             mentions: ["b.npy"])
        try expectUsageError(saliency("integrated-gradients", ["--baseline", Self.fixtures.appendingPathComponent("inputs/vgg16_64.npy").path]),
                             argument: "--baseline", mentions: ["[1, 3, 64, 64]"])
        try expectUsageError(saliency("smoothgrad", ["--samples", "0"]), argument: "--samples", mentions: ["0"])
        try expectUsageError(saliency("smoothgrad", ["--noise=-0.5"]), argument: "--noise", mentions: ["-0.5"])
        try expectUsageError(saliency("smoothgrad", ["--batch-size", "0"]), argument: "--batch-size", mentions: ["0"])
        // Values the parser rejects exit 2 as well (ArgumentParser's own code would be 64).
        try expectUsageError(saliency("smoothgrad", ["--seed", "-3"]), argument: "--seed", mentions: [])
        try expectUsageError(saliency("integrated-gradients", ["--steps", "many"]), argument: "--steps", mentions: ["many"])
        try expectUsageError(
            TutorProcess.run(["sanity-check", "--model", "efficientnet-lite0", "--input", Self.input, "--method", "gradient",
                              "--target", "282", "--max-steps", "0"]),
            argument: "--max-steps", mentions: ["0"])
        try expectUsageError(
            TutorProcess.run(["sanity-check", "--model", "efficientnet-lite0", "--input", Self.input, "--method", "grad-cam",
                              "--target", "282"]),
            argument: "--layer", mentions: ["grad-cam"])
    }
}

/// A float32 little-endian `.npy` file (format 1.0/2.0, C order), enough to read the maps `tutor` writes.
struct FloatNPY {
    var shape: [Int]
    var scalars: [Float]

    init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count > 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw Failure(message: "\(url.path): not an .npy file")
        }
        let wide = bytes[6] >= 2
        let headerLength = wide ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
                                : Int(bytes[8]) | Int(bytes[9]) << 8
        let start = (wide ? 12 : 10) + headerLength
        let header = String(decoding: bytes[(wide ? 12 : 10)..<start], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw Failure(message: "\(url.path): not a C-order float32 array: \(header)")
        }
        shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        guard bytes.count >= start + 4 * count else { throw Failure(message: "\(url.path): truncated") }
        scalars = (0..<count).map { i in
            let o = start + 4 * i
            return Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
        }
    }

    /// ‖self − reference‖ / ‖reference‖.
    func relativeL2Error(to reference: FloatNPY) -> Double {
        var diff = 0.0, norm = 0.0
        for (a, b) in zip(scalars, reference.scalars) {
            diff += Double(a - b) * Double(a - b)
            norm += Double(b) * Double(b)
        }
        return norm == 0 ? diff.squareRoot() : (diff / norm).squareRoot()
    }
}
