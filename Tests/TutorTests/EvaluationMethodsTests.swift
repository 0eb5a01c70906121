import Foundation
import Testing

/// Every method in `tutor pointing-game` and `tutor faithfulness` (issue 7 wiring): EBP, contrastive EBP,
/// RISE, extremal perturbation, integrated gradients, SmoothGrad and occlusion run end to end on a
/// three-image subset of the built-in benchmark with tiny settings; bad settings exit 2 naming the argument.
@Suite("pointing game and faithfulness for every method", .serialized)
struct EvaluationMethodsTests {
    static let benchmark = EvaluationCommandTests.benchmark

    /// A dataset folder with the first three images of Lessons/benchmark and their annotations.
    static func subset(_ name: String) throws -> (folder: String, pairs: Int) {
        let folder = TutorProcess.outputFolder("subset-" + name)
        let annotations = try EvaluationCommandTests.json(URL(fileURLWithPath: benchmark + "/annotations.json"))
        let images = Array(try #require(annotations["images"] as? [[String: Any]]).prefix(3))
        var pairs = 0
        for image in images {
            let file = try #require(image["file"] as? String)
            try FileManager.default.copyItem(atPath: benchmark + "/" + file, toPath: folder.appendingPathComponent(file).path)
            let objects = try #require(image["objects"] as? [[String: Any]])
            pairs += Set(objects.compactMap { $0["class"] as? Int }).count
        }
        let data = try JSONSerialization.data(withJSONObject: ["images": images])
        try data.write(to: folder.appendingPathComponent("annotations.json"))
        return (folder.path, pairs)
    }

    @Test("each method plays the pointing game on three benchmark images", arguments: [
        ["--method", "excitation-backprop"],
        ["--method", "contrastive-excitation-backprop"],
        ["--method", "rise", "--num-masks", "16", "--seed", "3"],
        ["--method", "rise-class", "--num-masks", "8", "--num-cells", "4"],
        ["--method", "extremal-perturbation", "--max-iter", "2", "--areas", "0.1"],
        ["--method", "integrated-gradients", "--steps", "2"],
        ["--method", "smoothgrad", "--samples", "2", "--noise", "0.1"],
        ["--method", "occlusion", "--window", "56", "--stride", "56"],
    ])
    func pointingGame(arguments: [String]) throws {
        let method = arguments[1]
        let (folder, pairs) = try Self.subset("pg-" + method)
        let out = URL(fileURLWithPath: folder).appendingPathComponent("result.json")
        let output = try TutorProcess.run(["pointing-game", "--dataset", folder, "--model", "efficientnet-lite0",
                                           "--json", out.path] + arguments)
        #expect(output.status == 0, "\(method): \(output.stderr)")
        #expect(output.stdout.contains("pointing game: \(method)"), "\(output.stdout)")
        let document = try EvaluationCommandTests.json(out)
        #expect(document["method"] as? String == method)
        let accuracy = try #require(document["accuracy"] as? Double)
        #expect(accuracy >= 0 && accuracy <= 1)
        let images = try #require(document["images"] as? [[String: Any]])
        #expect(images.count == 3)
        var seen = 0
        for image in images {
            let width = try #require(image["width"] as? Int), height = try #require(image["height"] as? Int)
            for result in try #require(image["results"] as? [[String: Any]]) {
                let point = try #require(result["point"] as? [Double])
                #expect(point[0] >= 0 && point[0] < Double(width) && point[1] >= 0 && point[1] < Double(height),
                        "\(method): \(point) outside \(width)×\(height)")
                #expect(result["hit"] is Bool)
                seen += 1
            }
        }
        #expect(seen == pairs)
    }

    @Test("RISE's points depend on the seed only through the masks: the same seed gives the same points")
    func riseIsSeeded() throws {
        let (folder, _) = try Self.subset("pg-rise-seed")
        func points(_ seed: String, _ name: String) throws -> [[Double]] {
            let out = URL(fileURLWithPath: folder).appendingPathComponent(name)
            let output = try TutorProcess.run(["pointing-game", "--dataset", folder, "--model", "efficientnet-lite0",
                                               "--method", "rise", "--num-masks", "8", "--seed", seed, "--json", out.path])
            #expect(output.status == 0, "\(output.stderr)")
            let images = try #require(try EvaluationCommandTests.json(out)["images"] as? [[String: Any]])
            return images.flatMap { ($0["results"] as? [[String: Any]] ?? []).compactMap { $0["point"] as? [Double] } }
        }
        let first = try points("5", "a.json"), again = try points("5", "b.json")
        #expect(!first.isEmpty && first == again)
    }

    @Test("faithfulness runs the perturbation methods and EBP on one input", arguments: [
        ["--method", "rise", "--num-masks", "8"],
        ["--method", "extremal-perturbation", "--max-iter", "2", "--areas", "0.05,0.12"],
        ["--method", "occlusion", "--window", "112", "--stride", "112"],
        ["--method", "excitation-backprop"],
    ])
    func faithfulness(arguments: [String]) throws {
        let out = TutorProcess.outputFolder("faith-" + arguments[1]).appendingPathComponent("curves.json")
        let output = try TutorProcess.run(["faithfulness", "--model", "efficientnet-lite0", "--input",
                                           EvaluationCommandTests.lite0Input, "--step", "12544", "--json", out.path]
                                          + arguments)
        #expect(output.status == 0, "\(arguments[1]): \(output.stderr)")
        let document = try EvaluationCommandTests.json(out)
        for kind in ["deletion", "insertion"] {
            let curve = try #require((document[kind] as? [String: Any])?["curve"] as? [Double], "\(kind)")
            #expect(curve.count == 5)   // ⌈50176 / 12544⌉ + 1
            #expect(curve.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test("bad method settings exit 2 naming the argument", arguments: [
        (["--method", "rise", "--num-masks", "0"], "--num-masks"),
        (["--method", "rise", "--num-cells", "1"], "--num-cells"),
        (["--method", "extremal-perturbation", "--max-iter", "0"], "--max-iter"),
        (["--method", "extremal-perturbation", "--areas", "1.5"], "--areas"),
        (["--method", "extremal-perturbation", "--areas", "0.1,"], "--areas"),
        (["--method", "integrated-gradients", "--steps", "0"], "--steps"),
        (["--method", "smoothgrad", "--samples", "0"], "--samples"),
        (["--method", "smoothgrad", "--noise", "nan"], "--noise"),
        (["--method", "occlusion", "--window", "0"], "--window"),
        (["--method", "occlusion", "--stride", "-1"], "--stride"),
        (["--method", "gradient", "--num-masks", "8"], "--num-masks"),
        (["--method", "excitation-backprop", "--contrast-layer", "_bn1"], "--contrast-layer"),
        (["--method", "center", "--max-iter", "3"], "--max-iter"),
        (["--method", "rise", "--layer", "_blocks.3"], "--layer"),
        (["--method", "excitation-backprop", "--layer", "_blocks.99"], "--layer"),
        (["--method", "contrastive-excitation-backprop", "--contrast-layer", "nowhere"], "--contrast-layer"),
    ] as [([String], String)])
    func badSettings(arguments: [String], argument: String) throws {
        let output = try TutorProcess.run(["pointing-game", "--dataset", Self.benchmark, "--model", "efficientnet-lite0"]
                                          + arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains(argument), "\(arguments): \(output.stderr)")
        #expect(!output.stderr.contains("Fatal error"))
        guard arguments[1] != "center" else { return }
        let faith = try TutorProcess.run(["faithfulness", "--input", EvaluationCommandTests.lite0Input, "--model",
                                          "efficientnet-lite0"] + arguments)
        #expect(faith.status == 2, "faithfulness \(arguments): \(faith.stderr)")
        #expect(faith.stderr.contains(argument), "faithfulness \(arguments): \(faith.stderr)")
    }
}
