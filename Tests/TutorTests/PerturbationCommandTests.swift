import Foundation
import Testing

/// End-to-end `tutor saliency` with RISE, extremal perturbation and occlusion on the pretrained Lite0:
/// outputs, the history file, and every bad argument exiting 2 with the argument named.
@Suite("tutor saliency: perturbation methods", .serialized)
struct PerturbationCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let input = root.appendingPathComponent("Tests/AttributionTests/Fixtures/inputs/lite0_chelsea_224.npy").path
    static let base = ["saliency", "--model", "efficientnet-lite0", "--input", input]

    /// The shape in an .npy header.
    static func npyShape(_ url: URL) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: url).prefix(256))
        let header = String(decoding: bytes, as: UTF8.self)
        guard let match = header.firstMatch(of: /'shape':\s*\(([^)]*)\)/) else { throw Failure(message: "no shape in \(url.path)") }
        return match.1.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// A float32 .npy of `shape` filled with `value`.
    static func writeNPY(_ url: URL, shape: [Int], value: Float) throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        let bits = value.bitPattern
        for _ in 0..<shape.reduce(1, *) { bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)] }
        try Data(bytes).write(to: url)
    }

    @Test("rise --num-masks 8 writes a 1×1×224×224 map; rise-class agrees; the same seed gives the same bytes")
    func riseWritesMap() throws {
        let folder = TutorProcess.outputFolder("cli-rise")
        let a = folder.appendingPathComponent("a.npy"), b = folder.appendingPathComponent("b.npy")
        let args = ["--method", "rise", "--num-masks", "8", "--batch-size", "3", "--seed", "4", "--target", "281"]
        let first = try TutorProcess.run(Self.base + args + ["--out", a.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Self.npyShape(a) == [1, 1, 224, 224])
        let second = try TutorProcess.run(Self.base + ["--method", "rise_class", "--num-masks", "8", "--batch-size", "3", "--seed", "4",
                                                       "--target", "281", "--out", b.path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        // Not a terminal: no progress line on stderr.
        #expect(!first.stderr.contains("rise 8/8"))
    }

    @Test("extremal-perturbation --max-iter 2 --areas 0.05,0.12 writes two masks and the history JSON")
    func extremalPerturbationWritesHistory() throws {
        let folder = TutorProcess.outputFolder("cli-ep")
        let out = folder.appendingPathComponent("masks.npy"), history = folder.appendingPathComponent("history.json")
        let result = try TutorProcess.run(Self.base + [
            "--method", "extremal-perturbation", "--target", "281", "--areas", "0.05,0.12", "--max-iter", "2",
            "--reward", "contrastive", "--variant", "preserve", "--out", out.path, "--history", history.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.npyShape(out) == [2, 1, 224, 224])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: history)) as? [String: Any]
        let areas = json?["history"] as? [[String: Any]] ?? []
        #expect(areas.count == 2)
        #expect(areas.map { $0["area"] as? Double } == [0.05, 0.12])
        for area in areas {
            for key in ["reward", "regulariser", "energy"] { #expect((area[key] as? [Double])?.count == 2, "\(key)") }
        }
        #expect(json?["reward"] as? String == "contrastive")
    }

    @Test("occlusion --window 56 --stride 56 writes a heatmap PNG")
    func occlusionWritesPNG() throws {
        let out = TutorProcess.outputFolder("cli-occlusion").appendingPathComponent("map.png")
        let result = try TutorProcess.run(Self.base + ["--method", "occlusion", "--window", "56", "--stride", "56",
                                                       "--target", "281", "--out", out.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.path))
    }

    @Test("bad arguments exit 2 and name the argument", arguments: [
        (["--method", "rise", "--num-masks", "0", "--target", "1"], "--num-masks"),
        (["--method", "rise", "--num-cells", "1", "--target", "1"], "--num-cells"),
        (["--method", "rise", "--batch-size", "0", "--target", "1"], "--batch-size"),
        (["--method", "rise", "--all-classes"], "--out"),
        (["--method", "rise", "--num-masks", "4"], "--target"),
        (["--method", "rise", "--num-masks", "2", "--target", "1000"], "--target"),
        (["--method", "rise", "--smooth", "0.1", "--target", "1"], "--smooth"),
        (["--method", "extremal-perturbation", "--areas", "0", "--target", "1"], "--areas"),
        (["--method", "extremal-perturbation", "--areas", "0.1,1.5", "--target", "1"], "--areas"),
        (["--method", "extremal-perturbation", "--areas", "0.1,x", "--target", "1"], "--areas"),
        (["--method", "extremal-perturbation", "--max-iter", "0", "--target", "1"], "--max-iter"),
        (["--method", "extremal-perturbation", "--variant", "keep", "--target", "1"], "--variant"),
        (["--method", "extremal-perturbation", "--reward", "fancy", "--target", "1"], "--reward"),
        (["--method", "extremal-perturbation", "--perturbation", "noise", "--target", "1"], "--perturbation"),
        (["--method", "rise", "--history", "h.json", "--target", "1"], "--history"),
        (["--method", "occlusion", "--window", "0", "--target", "1"], "--window"),
        (["--method", "occlusion", "--window", "300", "--target", "1"], "--window"),
        (["--method", "occlusion", "--stride", "0", "--target", "1"], "--stride"),
        (["--method", "no-such-method", "--target", "1"], "--method"),
    ])
    func badArgument(_ args: [String], named flag: String) throws {
        let out = TutorProcess.outputFolder("cli-bad").appendingPathComponent("map.png")
        let result = try TutorProcess.run(Self.base + args + ["--out", out.path])
        #expect(result.status == 2, "\(args): status \(result.status), \(result.stderr)")
        #expect(result.stderr.contains(flag), "\(args): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("--masks of the wrong shape, or not an .npy, exits 2 naming --masks")
    func badMasksFile() throws {
        let folder = TutorProcess.outputFolder("cli-bad-masks")
        let wrong = folder.appendingPathComponent("wrong.npy"), garbage = folder.appendingPathComponent("garbage.npy")
        try Self.writeNPY(wrong, shape: [4, 1, 224, 200], value: 1)
        try Data("not numpy".utf8).write(to: garbage)
        for file in [wrong, garbage, folder.appendingPathComponent("missing.npy")] {
            let result = try TutorProcess.run(Self.base + ["--method", "rise", "--masks", file.path, "--target", "1",
                                                           "--out", folder.appendingPathComponent("m.npy").path])
            #expect(result.status == 2, "\(file.lastPathComponent): \(result.stderr)")
            #expect(result.stderr.contains("--masks"), "\(result.stderr)")
        }
        let good = folder.appendingPathComponent("good.npy")
        try Self.writeNPY(good, shape: [3, 1, 224, 224], value: 1)
        let ok = try TutorProcess.run(Self.base + ["--method", "rise", "--masks", good.path, "--target", "1",
                                                   "--out", folder.appendingPathComponent("m.npy").path])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test("bench --method rise --num-masks 16 --json and extremal-perturbation --max-iter 2 print one JSON object")
    func benchPerturbation() throws {
        for args in [["--method", "rise", "--num-masks", "16"], ["--method", "extremal-perturbation", "--max-iter", "2"]] {
            let result = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--repeat", "1", "--json"] + args)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(object?["median_ms"] is Double)
            #expect((object?["peak_rss_mb"] as? Double ?? 0) > 0)
            #expect(object?[args[1] == "rise" ? "num_masks" : "max_iter"] as? Int == Int(args[3]))
        }
        let bad = try TutorProcess.run(["bench", "--model", "efficientnet-lite0", "--method", "rise", "--num-masks", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--num-masks"), "\(bad.stderr)")
    }
}
