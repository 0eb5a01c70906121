import Foundation
import Testing

/// End-to-end: the real `tutor predict`, `tutor saliency` and `tutor bench` (issue 2 §6) on the pretrained
/// EfficientNet-Lite0, the sample photos and the attribution fixtures. Serialized: the runs share two cores.
@Suite("tutor predict, saliency and bench", .serialized)
struct CommandLineToolsTests {
    // MARK: predict

    @Test("predict on the cat photo: a cat class first, five ranked rows with ids, names and probabilities")
    func predictCat() throws {
        let output = try TutorProcess.run(["predict", "--model", "efficientnet-lite0",
                                           "--image", CLIPaths.image("cat"), "--top", "5"])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = PredictionRow.parse(output.stdout)
        #expect(rows.count == 5, "\(output.stdout)")
        #expect(rows.map(\.rank) == Array(1...5))
        let top = try #require(rows.first, "no prediction rows in: \(output.stdout)")
        #expect((281...285).contains(top.id), "top-1 \(top.id) \(top.name) is not a cat class")
        let catNames = [281: "tabby", 282: "tiger cat", 283: "Persian cat", 284: "Siamese cat", 285: "Egyptian cat"]
        #expect(top.name == catNames[top.id])
        #expect(rows.allSatisfy { (0..<1000).contains($0.id) && !$0.name.isEmpty })
        #expect(Set(rows.map(\.id)).count == 5, "class ids repeat")
        let probabilities = rows.map(\.percent)
        #expect(probabilities.allSatisfy { $0 >= 0 && $0 <= 100 })
        #expect(probabilities == probabilities.sorted(by: >), "rows are not ranked by probability")
        // Printed with two decimals: allow five rounding errors of 0.005 %.
        #expect(probabilities.reduce(0, +) <= 100.03)
    }

    @Test("predict on the coffee photo: espresso (967) first")
    func predictCoffee() throws {
        let output = try TutorProcess.run(["predict", "--model", "efficientnet-lite0",
                                           "--image", CLIPaths.image("coffee"), "--top", "3"])
        #expect(output.status == 0, "\(output.stderr)")
        let rows = PredictionRow.parse(output.stdout)
        #expect(rows.count == 3, "\(output.stdout)")
        #expect(rows.first?.id == 967)
        #expect(rows.first?.name == "espresso")
    }

    // MARK: saliency

    @Test("saliency --input … --method grad-cam --layer _blocks.15 writes TorchRay's 1×1×7×7 map",
          arguments: [false, true])
    func gradCAMMatchesFixture(resize: Bool) throws {
        let caseID = "efficientnet-lite0-grad-cam-_blocks.15" + (resize ? "-resize" : "")
        let fixture = try CLIPaths.attributionCase(caseID)
        #expect(fixture.method == "grad-cam" && fixture.layer == "_blocks.15" && fixture.resize == resize)
        let folder = TutorProcess.outputFolder("cli-grad-cam\(resize ? "-resize" : "")")
        let out = folder.appendingPathComponent("map.npy")
        let output = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--input", fixture.input.path, "--method", "grad-cam",
             "--layer", "_blocks.15", "--target", String(fixture.target), "--out", out.path] + (resize ? ["--resize"] : []))
        #expect(output.status == 0, "\(output.stderr)")
        let map = try NPYFloat32(contentsOf: out)
        let expectedShape = resize ? [1, 1, 224, 224] : [1, 1, 7, 7]
        #expect(map.shape == expectedShape)
        #expect(fixture.outputShape == expectedShape)
        #expect(output.stdout.contains(expectedShape.map(String.init).joined(separator: "×")), "\(output.stdout)")
        let reference = try NPYFloat32(contentsOf: fixture.output)
        #expect(reference.shape == map.shape)
        let error = map.relativeL2Error(to: reference)
        #expect(error <= 1e-3, "relative L2 error \(error) against \(fixture.output.lastPathComponent)")
        #expect(map.scalars.contains { $0 != 0 }, "the map is all zeros")
    }

    @Test("saliency --image … --out map.png writes a heatmap PNG at least the crop's size")
    func heatmapPNG() throws {
        let out = TutorProcess.outputFolder("cli-png").appendingPathComponent("map.png")
        let output = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--image", CLIPaths.image("cat"), "--method", "grad-cam",
             "--layer", "_blocks.15", "--target", "285", "--out", out.path])
        #expect(output.status == 0, "\(output.stderr)")
        let bytes = [UInt8](try Data(contentsOf: out))
        try #require(bytes.count > 33, "\(out.path) has only \(bytes.count) bytes")
        #expect(Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "no PNG signature")
        #expect(Array(bytes[12..<16]) == Array("IHDR".utf8), "the first chunk is not IHDR")
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
        // The 224×224 crop with the heatmap over it, plus the grid's margins and title.
        #expect((224...512).contains(width), "width \(width)")
        #expect((224...512).contains(height), "height \(height)")
    }

    // MARK: bench

    @Test("bench --method forward --json prints exactly one JSON object with the five keys")
    func benchJSON() throws {
        let output = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--method", "forward",
                                           "--repeat", "2", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
        #expect(lines.count == 1, "stdout: \(output.stdout)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
            "not one JSON object: \(output.stdout)")
        #expect(Set(object.keys) == ["model", "method", "median_ms", "peak_rss_mb", "threads"])
        #expect(object["model"] as? String == "efficientnet-lite0")
        #expect(object["method"] as? String == "forward")
        let median = try #require((object["median_ms"] as? NSNumber)?.doubleValue)
        let rss = try #require((object["peak_rss_mb"] as? NSNumber)?.doubleValue)
        let threads = try #require((object["threads"] as? NSNumber)?.intValue)
        #expect(median > 0 && median.isFinite)
        #expect(rss > 0 && rss.isFinite)
        #expect(threads >= 1)
    }

    @Test("bench of a method (grad-cam at its default late layer) reports that method")
    func benchMethod() throws {
        let output = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--method", "grad-cam",
                                           "--repeat", "1", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
            "not one JSON object: \(output.stdout)")
        #expect(object["method"] as? String == "grad-cam")
        #expect(((object["median_ms"] as? NSNumber)?.doubleValue ?? 0) > 0)
    }

    // MARK: bad input: exit code 2 and a message naming the argument and what would be valid

    @Test("unknown model: --model named, valid architectures listed")
    func unknownModel() throws {
        for command in ["predict", "bench"] {
            let extra = command == "predict" ? ["--image", CLIPaths.image("cat")] : ["--method", "forward"]
            let output = try TutorProcess.run([command, "--model", "vgg17"] + extra)
            try expectUsageError(output, argument: "--model", mentions: ["vgg17", "vgg16", "efficientnet-lite0"])
        }
    }

    @Test("unknown method: --method named, valid methods listed (bench adds forward)")
    func unknownMethod() throws {
        let saliency = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--input", CLIPaths.lite0Input, "--method", "grad-cams",
             "--target", "282", "--out", TutorProcess.outputFolder("cli-bad-method").appendingPathComponent("m.npy").path])
        try expectUsageError(saliency, argument: "--method",
                             mentions: ["grad-cams", "gradient", "deconvnet", "guided-backprop", "grad-cam", "linear-approx"])
        let bench = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--method", "backprop", "--json"])
        try expectUsageError(bench, argument: "--method", mentions: ["backprop", "forward", "guided-backprop"])
        #expect(bench.stdout.isEmpty, "bench printed a result for a bad method: \(bench.stdout)")
    }

    @Test("unknown layer: --layer named, nearby valid layers listed, no map written")
    func unknownLayer() throws {
        let out = TutorProcess.outputFolder("cli-bad-layer").appendingPathComponent("m.npy")
        let output = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--input", CLIPaths.lite0Input, "--method", "grad-cam",
             "--layer", "_blocks.99", "--target", "282", "--out", out.path])
        try expectUsageError(output, argument: "--layer", mentions: ["_blocks.99", "valid", "_blocks.1"])
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("a corrupt PNG (random bytes, and a PNG signature followed by garbage): --image named")
    func corruptPNG() throws {
        let folder = TutorProcess.outputFolder("cli-bad-png")
        var generator = SplitMix64(seed: 2)
        let random = folder.appendingPathComponent("random.png")
        try Data((0..<512).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: random)
        let truncated = folder.appendingPathComponent("truncated.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("garbage, not a chunk".utf8)).write(to: truncated)
        for file in [random, truncated] {
            let predict = try TutorProcess.run(["predict", "--model", "efficientnet-lite0", "--image", file.path])
            try expectUsageError(predict, argument: "--image", mentions: [file.lastPathComponent, "PNG"])
            let saliency = try TutorProcess.run(
                ["saliency", "--model", "efficientnet-lite0", "--image", file.path, "--method", "gradient",
                 "--target", "1", "--out", folder.appendingPathComponent("m.png").path])
            try expectUsageError(saliency, argument: "--image", mentions: [file.lastPathComponent, "PNG"])
        }
    }

    @Test("a corrupt checkpoint (garbage, and a truncated copy of the real one): --weights named, formats listed")
    func corruptCheckpoint() throws {
        let folder = TutorProcess.outputFolder("cli-bad-weights")
        var generator = SplitMix64(seed: 7)
        let garbage = folder.appendingPathComponent("garbage.pth")
        try Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: garbage)
        let output = try TutorProcess.run(["predict", "--model", "efficientnet-lite0", "--weights", garbage.path,
                                           "--image", CLIPaths.image("cat")])
        try expectUsageError(output, argument: "--weights", mentions: ["garbage.pth", ".safetensors", ".pth"])

        let bench = try TutorProcess.run(["bench", "--model", "resnet18", "--weights", garbage.path,
                                          "--method", "forward", "--repeat", "1", "--json"])
        try expectUsageError(bench, argument: "--weights", mentions: ["garbage.pth"])

        // A real zip checkpoint cut short: the reader must report it, not trap.
        if let real = CLIPaths.defaultWeights {
            let cut = folder.appendingPathComponent("cut.pth")
            try Data(try Data(contentsOf: real).prefix(2000)).write(to: cut)
            let truncated = try TutorProcess.run(["predict", "--model", "efficientnet-lite0", "--weights", cut.path,
                                                  "--image", CLIPaths.image("cat")])
            try expectUsageError(truncated, argument: "--weights", mentions: ["cut.pth"])
        }
    }

    @Test("a wrong-shaped tensor (1×1×8×8, and 3×224×224 without the batch axis): --input named, N×3×H×W expected")
    func wrongShapedTensor() throws {
        let folder = TutorProcess.outputFolder("cli-bad-tensor")
        for shape in [[1, 1, 8, 8], [3, 224, 224]] {
            let file = folder.appendingPathComponent("tensor-\(shape.map(String.init).joined(separator: "x")).npy")
            try NPYFloat32(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 17) / 17 }).write(to: file)
            let output = try TutorProcess.run(
                ["saliency", "--model", "efficientnet-lite0", "--input", file.path, "--method", "gradient",
                 "--target", "282", "--out", folder.appendingPathComponent("m.npy").path])
            try expectUsageError(output, argument: "--input", mentions: [file.lastPathComponent, "N×3×H×W"])
        }
    }

    @Test("other argument mistakes: a target out of range, neither --image nor --input, a bad --out suffix")
    func otherMistakes() throws {
        let out = TutorProcess.outputFolder("cli-bad-other").appendingPathComponent("m.npy").path
        let target = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--input", CLIPaths.lite0Input, "--method", "gradient",
             "--target", "1000", "--out", out])
        try expectUsageError(target, argument: "--target", mentions: ["1000", "0..<1000"])
        let noInput = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--method", "gradient", "--target", "1", "--out", out])
        try expectUsageError(noInput, argument: "--image", mentions: ["--input"])
        let suffix = try TutorProcess.run(
            ["saliency", "--model", "efficientnet-lite0", "--input", CLIPaths.lite0Input, "--method", "gradient",
             "--target", "1", "--out", out + ".jpg"])
        try expectUsageError(suffix, argument: "--out", mentions: [".npy", ".png"])
    }
}

/// Inputs outside the test bundle: the sample photos, the attribution fixtures and the default weights.
private enum CLIPaths {
    /// The repository root (this file is Tests/TutorTests/CommandLineToolsTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let attributionFixtures = root.appendingPathComponent("Tests/AttributionTests/Fixtures")

    /// `Lessons/images/<name>.png`.
    static func image(_ name: String) -> String { root.appendingPathComponent("Lessons/images/\(name).png").path }

    /// The preprocessed 1×3×224×224 Lite0 input of the attribution fixtures.
    static var lite0Input: String { attributionFixtures.appendingPathComponent("inputs/lite0_chelsea_224.npy").path }

    /// The default Lite0 checkpoint, where the set-up puts it, if present.
    static var defaultWeights: URL? {
        let url = root.appendingPathComponent(".cache/weights/efficientnet-lite0-57934424.pth")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// One case of the attribution fixtures' manifest.
    struct AttributionCase {
        var input: URL, output: URL, target: Int, method: String, layer: String, resize: Bool, outputShape: [Int]
    }

    static func attributionCase(_ id: String) throws -> AttributionCase {
        let data = try Data(contentsOf: attributionFixtures.appendingPathComponent("manifest.json"))
        let cases = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        guard let entry = cases.first(where: { $0["id"] as? String == id }),
              let input = entry["input"] as? String, let output = entry["output"] as? String,
              let target = entry["target"] as? Int, let method = entry["method"] as? String,
              let layer = entry["layer"] as? String, let resize = entry["resize"] as? Bool,
              let shape = entry["outputShape"] as? [Int]
        else { throw Failure(message: "manifest.json has no complete case '\(id)'") }
        return AttributionCase(
            input: attributionFixtures.appendingPathComponent(input), output: attributionFixtures.appendingPathComponent(output),
            target: target, method: method, layer: layer, resize: resize, outputShape: shape)
    }
}

/// One row of `tutor predict`: `1. 282 tiger cat  37.89%`.
private struct PredictionRow {
    var rank: Int, id: Int, name: String, percent: Double

    static func parse(_ stdout: String) -> [PredictionRow] {
        stdout.split(separator: "\n").compactMap { line in
            guard let match = line.wholeMatch(of: /\s*(\d+)\. (\d+) (.+?)\s+(\d+(?:\.\d+)?)%\s*/),
                  let rank = Int(match.1), let id = Int(match.2), let percent = Double(match.4)
            else { return nil }
            return PredictionRow(rank: rank, id: id, name: String(match.3), percent: percent)
        }
    }
}

/// A little-endian float32 C-order `.npy` array (format versions 1–3): just what these tests read and write.
private struct NPYFloat32 {
    var shape: [Int]
    var scalars: [Float]

    init(shape: [Int], scalars: [Float]) {
        self.shape = shape
        self.scalars = scalars
    }

    init(contentsOf url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        func fail(_ why: String) -> Failure { Failure(message: "\(url.path): \(why)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else { throw fail("not an .npy file") }
        let major = bytes[6]
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw fail("truncated header") }
        let headerLength = bytes[8..<(8 + lengthBytes)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let dataStart = 8 + lengthBytes + headerLength
        guard bytes.count >= dataStart else { throw fail("truncated header") }
        let header = String(decoding: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self)
        guard header.contains("'descr': '<f4'") else { throw fail("not little-endian float32: \(header)") }
        guard header.contains("'fortran_order': False") else { throw fail("Fortran order: \(header)") }
        guard let shapeMatch = header.firstMatch(of: /'shape':\s*\(([^)]*)\)/) else { throw fail("no shape: \(header)") }
        shape = shapeMatch.1.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        guard bytes.count - dataStart == count * 4 else { throw fail("\(bytes.count - dataStart) data bytes for shape \(shape)") }
        scalars = (0..<count).map { i in
            let o = dataStart + 4 * i
            return Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                | UInt32(bytes[o + 3]) << 24)
        }
    }

    /// Writes format version 1.0 with the header padded so the data starts on a 64-byte boundary.
    func write(to url: URL) throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for value in scalars {
            let bits = value.bitPattern
            bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        }
        try Data(bytes).write(to: url)
    }

    /// ‖self − reference‖₂ / ‖reference‖₂, in Double.
    func relativeL2Error(to reference: NPYFloat32) -> Double {
        var difference = 0.0, norm = 0.0
        for (a, b) in zip(scalars, reference.scalars) {
            difference += (Double(a) - Double(b)) * (Double(a) - Double(b))
            norm += Double(b) * Double(b)
        }
        return (difference / max(norm, .leastNormalMagnitude)).squareRoot()
    }
}

/// Deterministic garbage bytes for the corrupt-file cases.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
