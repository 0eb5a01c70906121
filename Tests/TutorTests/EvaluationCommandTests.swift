import Foundation
import Testing

/// End-to-end: `tutor pointing-game` and `tutor faithfulness` (issue 7, evaluation), JPEG photos on the
/// command line, and the progress bar's TTY-only rule. Serialized: the runs share two cores.
@Suite("tutor pointing-game, faithfulness and JPEG input", .serialized)
struct EvaluationCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let benchmark = root.appendingPathComponent("Lessons/benchmark").path
    static let lite0Input = root.appendingPathComponent("Tests/AttributionTests/Fixtures/inputs/lite0_chelsea_224.npy").path
    static let cat = root.appendingPathComponent("Lessons/images/cat.png").path

    /// A dataset folder with the cat photo (PNG) and a JPEG board from the benchmark, and `json` as annotations.
    static func dataset(_ name: String, json: String) throws -> String {
        let folder = TutorProcess.outputFolder("dataset-" + name)
        try FileManager.default.copyItem(atPath: cat, toPath: folder.appendingPathComponent("cat.png").path)
        try FileManager.default.copyItem(atPath: benchmark + "/bench-00.jpg", toPath: folder.appendingPathComponent("board.jpg").path)
        try Data(json.utf8).write(to: folder.appendingPathComponent("annotations.json"))
        return folder.path
    }

    static let smallDataset = """
        {"images": [{"file": "cat.png", "objects": [{"class": 285, "box": [0, 0, 340, 300]}]},
                    {"file": "board.jpg", "objects": [{"class": 285, "box": [0, 0, 30, 30]}, {"class": 967, "box": [150, 150, 224, 224]}]}]}
        """

    static func json(_ path: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
    }

    // MARK: pointing game

    @Test("center on the built-in benchmark: every point is (112, 112), hits follow the 15 px rule, accuracy is the class mean")
    func centerOnBenchmark() throws {
        let out = TutorProcess.outputFolder("pg-center").appendingPathComponent("center.json")
        let output = try TutorProcess.run(["pointing-game", "--dataset", Self.benchmark, "--model", "efficientnet-lite0",
                                           "--method", "center", "--json", out.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("pointing game: center"), "\(output.stdout)")
        let document = try Self.json(out)
        let annotations = try Self.json(URL(fileURLWithPath: Self.benchmark + "/annotations.json"))
        let images = try #require(document["images"] as? [[String: Any]])
        let annotated = try #require(annotations["images"] as? [[String: Any]])
        #expect(images.count == annotated.count && images.count >= 24)
        var perClass: [Int: (hits: Int, total: Int)] = [:]
        for (image, truth) in zip(images, annotated) {
            #expect(image["file"] as? String == truth["file"] as? String)
            let objects = try #require(truth["objects"] as? [[String: Any]])
            for result in try #require(image["results"] as? [[String: Any]]) {
                let cls = try #require(result["class"] as? Int)
                let point = try #require(result["point"] as? [Double])
                #expect(point == [112, 112])
                // Brute force over the object pixels of this class.
                var expected = false
                for object in objects where object["class"] as? Int == cls {
                    let box = try #require(object["box"] as? [Int])
                    for y in box[1]..<box[3] { for x in box[0]..<box[2] where (x - 112) * (x - 112) + (y - 112) * (y - 112) < 225 { expected = true } }
                }
                #expect(result["hit"] as? Bool == expected, "\(image["file"] ?? "") class \(cls)")
                var entry = perClass[cls] ?? (0, 0)
                entry.total += 1
                if expected { entry.hits += 1 }
                perClass[cls] = entry
            }
        }
        let mean = perClass.values.map { Double($0.hits) / Double($0.total) }.reduce(0, +) / Double(perClass.count)
        let accuracy = try #require(document["accuracy"] as? Double)
        #expect(abs(accuracy - mean) < 1e-12)
        let classAccuracies = try #require(document["class_accuracies"] as? [String: Double])
        #expect(Set(classAccuracies.keys) == Set(perClass.keys.map(String.init)))
    }

    @Test("grad-cam on a PNG and a JPEG: points inside each image, JSON per image and class")
    func gradCAMSmallDataset() throws {
        let folder = try Self.dataset("grad-cam", json: Self.smallDataset)
        let out = URL(fileURLWithPath: folder).appendingPathComponent("result.json")
        let output = try TutorProcess.run(["pointing-game", "--dataset", folder, "--model", "efficientnet-lite0",
                                           "--method", "grad-cam", "--json", out.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(!output.stderr.contains("\r"), "a progress bar was drawn on a pipe")
        let document = try Self.json(out)
        #expect(document["method"] as? String == "grad-cam")
        let images = try #require(document["images"] as? [[String: Any]])
        #expect(images.map { $0["file"] as? String } == ["cat.png", "board.jpg"])
        #expect(images.map { $0["width"] as? Int } == [451, 224])
        let catResult = try #require((images[0]["results"] as? [[String: Any]])?.first)
        let point = try #require(catResult["point"] as? [Double])
        #expect(point[0] >= 0 && point[0] < 451 && point[1] >= 0 && point[1] < 300)
        // The box covers most of the cat photo: Grad-CAM's maximum lands on it.
        #expect(catResult["hit"] as? Bool == true)
        #expect((images[1]["results"] as? [[String: Any]])?.map { $0["class"] as? Int } == [285, 967])
    }

    @Test("bad input exits 2 and names the argument and the field", arguments: [
        ("unknown method", ["--method", "telepathy"], nil, "--method"),
        ("tolerance", ["--method", "center", "--tolerance", "0"], nil, "--tolerance"),
        ("tolerance text", ["--method", "center", "--tolerance", "wide"], nil, "--tolerance"),
        ("center layer", ["--method", "center", "--layer", "layer4"], nil, "--layer"),
        ("unknown layer", ["--method", "grad-cam", "--layer", "_blocks.99"], nil, "--layer"),
        ("empty annotations", ["--method", "center"], "", "annotations.json: the file is empty"),
        ("malformed annotations", ["--method", "center"], "{\"images\": [{]", "not valid JSON"),
        ("no images", ["--method", "center"], "{\"images\": []}", "images: the list is empty"),
        ("box outside", ["--method", "center"],
         "{\"images\": [{\"file\": \"cat.png\", \"objects\": [{\"class\": 285, \"box\": [0, 0, 452, 10]}]}]}",
         "images[0].objects[0].box: [0, 0, 452, 10] lies outside the 451×300 image cat.png"),
        ("missing file", ["--method", "center"],
         "{\"images\": [{\"file\": \"gone.png\", \"objects\": [{\"class\": 285, \"box\": [0, 0, 1, 1]}]}]}",
         "images[0].file"),
        ("class range", ["--method", "center"],
         "{\"images\": [{\"file\": \"cat.png\", \"objects\": [{\"class\": 1000, \"box\": [0, 0, 1, 1]}]}]}",
         "images[0].objects[0].class"),
    ] as [(String, [String], String?, String)])
    func badPointingInput(name: String, arguments: [String], annotations: String?, phrase: String) throws {
        let folder = try Self.dataset("bad-\(name.replacingOccurrences(of: " ", with: "-"))", json: annotations ?? Self.smallDataset)
        let output = try TutorProcess.run(["pointing-game", "--dataset", folder, "--model", "efficientnet-lite0"] + arguments)
        #expect(output.status == 2, "\(name): \(output.stderr)")
        #expect(output.stderr.contains(phrase), "\(name): \(output.stderr)")
        if annotations != nil { #expect(output.stderr.contains("--dataset"), "\(output.stderr)") }
        #expect(!output.stderr.contains("Fatal error"))
    }

    @Test("a missing dataset folder and an unwritable --json exit 2")
    func missingFolderAndJSON() throws {
        let missing = try TutorProcess.run(["pointing-game", "--dataset", "/nonexistent/benchmark", "--model",
                                            "efficientnet-lite0", "--method", "center"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--dataset") && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        let json = try TutorProcess.run(["pointing-game", "--dataset", Self.benchmark, "--model", "efficientnet-lite0",
                                         "--method", "center", "--json", "/nonexistent/out.json"])
        #expect(json.status == 2)
        #expect(json.stderr.contains("--json"), "\(json.stderr)")
    }

    // MARK: faithfulness

    @Test("faithfulness --method gradient: both curves, AUC = trapezoid of the curve, probabilities in [0, 1]")
    func faithfulness() throws {
        let out = TutorProcess.outputFolder("faithfulness").appendingPathComponent("curves.json")
        let output = try TutorProcess.run(["faithfulness", "--model", "efficientnet-lite0", "--input", Self.lite0Input,
                                           "--method", "gradient", "--step", "2240", "--json", out.path])
        #expect(output.status == 0, "\(output.stderr)")
        let document = try Self.json(out)
        #expect(document["step"] as? Int == 2240)
        for kind in ["deletion", "insertion"] {
            let entry = try #require(document[kind] as? [String: Any], "no \(kind) in \(document.keys)")
            let curve = try #require(entry["curve"] as? [Double])
            #expect(curve.count == 24)   // ⌈50176 / 2240⌉ + 1
            #expect(curve.allSatisfy { $0 >= 0 && $0 <= 1 })
            let auc = try #require(entry["auc"] as? Double)
            let trapezoid = (curve.reduce(0, +) - curve[0] / 2 - curve[23] / 2) / 23
            #expect(abs(auc - trapezoid) < 1e-9)
        }
        // Deletion starts at the unmodified image's probability of its top class, insertion ends there.
        let deletion = try #require((document["deletion"] as? [String: Any])?["curve"] as? [Double])
        let insertion = try #require((document["insertion"] as? [String: Any])?["curve"] as? [Double])
        #expect(abs(deletion[0] - insertion[23]) < 1e-6)
        #expect(deletion[0] > 0.2, "the top class should be confident on the cat")
    }

    @Test("faithfulness bad input exits 2 naming the argument", arguments: [
        (["--method", "gradient", "--map", "x.npy"], "--method/--map"),
        ([], "--method/--map"),
        (["--method", "telepathy"], "--method"),
        (["--method", "gradient", "--step", "0"], "--step"),
        (["--method", "gradient", "--target", "1000"], "--target"),
        (["--method", "gradient", "--batch-size", "0"], "--batch-size"),
        (["--method", "gradient", "--metric", "sideways"], "--metric"),
        (["--map", "/nonexistent/map.npy"], "--map"),
        (["--method", "gradient", "--step", "abc"], "--step"),
    ] as [([String], String)])
    func badFaithfulnessInput(arguments: [String], argument: String) throws {
        let output = try TutorProcess.run(["faithfulness", "--model", "efficientnet-lite0", "--input", Self.lite0Input] + arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains(argument), "\(arguments): \(output.stderr)")
    }

    @Test("faithfulness --map of the wrong size exits 2 naming --map")
    func wrongSizeMap() throws {
        let folder = TutorProcess.outputFolder("wrong-map")
        let map = folder.appendingPathComponent("map.npy")
        let made = try TutorProcess.run(["saliency", "--model", "efficientnet-lite0", "--input", Self.lite0Input,
                                         "--method", "grad-cam", "--layer", "_blocks.15", "--target", "285", "--out", map.path])
        #expect(made.status == 0, "\(made.stderr)")
        let output = try TutorProcess.run(["faithfulness", "--model", "efficientnet-lite0", "--input", Self.lite0Input,
                                           "--map", map.path, "--step", "5000"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("--map") && output.stderr.contains("224×224"), "\(output.stderr)")
    }

    // MARK: JPEG on the command line, progress bar

    @Test("predict reads a JPEG by its magic bytes; a truncated JPEG exits 2 naming --image")
    func jpegOnTheCommandLine() throws {
        let board = Self.benchmark + "/bench-00.jpg"
        let good = try TutorProcess.run(["predict", "--model", "efficientnet-lite0", "--image", board, "--top", "1"])
        #expect(good.status == 0, "\(good.stderr)")
        let folder = TutorProcess.outputFolder("truncated-jpeg")
        let cut = folder.appendingPathComponent("cut.jpg")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: board))
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let bad = try TutorProcess.run(["predict", "--model", "efficientnet-lite0", "--image", cut.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--image") && bad.stderr.contains("truncated"), "\(bad.stderr)")
    }

    @Test("on a terminal the pointing game draws a bar with counts and an ETA; on a pipe nothing")
    func progressBarOnATerminal() throws {
        let folder = try Self.dataset("tty", json: Self.smallDataset)
        let tutor = TutorProcess.executable.path
        // script(1) gives the command a pseudo-terminal; its transcript is what the terminal showed.
        let command = "\(tutor) pointing-game --dataset \(folder) --model efficientnet-lite0 --method center"
        let output = try TutorProcess.runTool("/usr/bin/script", ["-qefc", command, "/dev/null"])
        #expect(output.status == 0, "\(output.stdout)")
        #expect(output.stdout.contains("pointing game (center) ["), "\(output.stdout)")
        #expect(output.stdout.contains("3/3 100%"), "\(output.stdout)")
        let piped = try TutorProcess.run(["pointing-game", "--dataset", folder, "--model", "efficientnet-lite0", "--method", "center"])
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("pointing game (center) ["), "\(piped.stderr)")
    }
}
