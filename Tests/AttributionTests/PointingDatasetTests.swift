import Attribution
import Engine
import Foundation
import Imaging
import Testing

/// Dataset folders (annotations.json + images): every mistake names the file and the JSON field; the
/// driver plays the game over any `PointingMethod`.
@Suite struct PointingDatasetTests {
    /// A fresh folder with `images` (name → size) written as grey PNGs and `json` as annotations.json.
    static func folder(_ name: String, json: String?, images: [String: (Int, Int)] = ["a.png": (64, 48)]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pointing-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (file, size) in images {
            try Image(width: size.0, height: size.1, channels: 3, fill: [90, 120, 150]).writePNG(to: url.appendingPathComponent(file))
        }
        if let json { try Data(json.utf8).write(to: url.appendingPathComponent("annotations.json")) }
        return url
    }

    /// The error loading `json` gives, or nil when it loads.
    static func loadError(_ name: String, _ json: String?, images: [String: (Int, Int)] = ["a.png": (64, 48)],
                          classCount: Int? = 1000) throws -> PointingDatasetError? {
        let url = try folder(name, json: json, images: images)
        do {
            _ = try PointingDataset(directory: url, classCount: classCount)
            return nil
        } catch {
            return error
        }
    }

    @Test("a valid file loads: sizes from the headers, classes, several objects per class")
    func loads() throws {
        let json = """
            {"images": [{"file": "a.png", "objects": [{"class": 281, "box": [0, 0, 10, 10]},
                                                      {"class": 281, "box": [50, 30, 64, 48]},
                                                      {"class": 967, "box": [20.5, 5, 30, 20]}]},
                        {"file": "b.png", "objects": [{"class": 967, "box": [1, 2, 3, 4]}]}]}
            """
        let url = try Self.folder("valid", json: json, images: ["a.png": (64, 48), "b.png": (20, 10)])
        let dataset = try PointingDataset(directory: url, classCount: 1000)
        #expect(dataset.images.map(\.file) == ["a.png", "b.png"])
        #expect(dataset.images[0].width == 64 && dataset.images[0].height == 48)
        #expect(dataset.images[1].width == 20 && dataset.images[1].height == 10)
        #expect(dataset.images[0].classes == [281, 967])
        #expect(dataset.images[0].boxes(of: 281).count == 2)
        #expect(dataset.classes == [281, 967])
        #expect(dataset.pairCount == 3)
        #expect(dataset.images[0].objects[2].box == BoundingBox(x0: 20.5, y0: 5, x1: 30, y1: 20))
    }

    @Test("bad annotations name the file and the field", arguments: [
        ("empty-file", "", nil, "empty"),
        ("not-json", "{\"images\": [", nil, "not valid JSON"),
        ("not-object", "[1, 2]", nil, "JSON object"),
        ("no-images", "{\"pictures\": []}", "images", "missing"),
        ("images-not-list", "{\"images\": 3}", "images", "list"),
        ("images-empty", "{\"images\": []}", "images", "empty"),
        ("image-not-object", "{\"images\": [7]}", "images[0]", "expected an object"),
        ("no-file", "{\"images\": [{\"objects\": []}]}", "images[0].file", "missing"),
        ("objects-empty", "{\"images\": [{\"file\": \"a.png\", \"objects\": []}]}", "images[0].objects", "empty"),
        ("class-string", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": \"cat\", \"box\": [0,0,1,1]}]}]}",
         "images[0].objects[0].class", "whole number"),
        ("class-fraction", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 2.5, \"box\": [0,0,1,1]}]}]}",
         "images[0].objects[0].class", "whole number"),
        ("class-bool", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": true, \"box\": [0,0,1,1]}]}]}",
         "images[0].objects[0].class", "whole number"),
        ("class-range", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1000, \"box\": [0,0,1,1]}]}]}",
         "images[0].objects[0].class", "0..<1000"),
        ("class-negative", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": -1, \"box\": [0,0,1,1]}]}]}",
         "images[0].objects[0].class", "not a class"),
        ("box-three", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [0,0,1]}]}]}",
         "images[0].objects[0].box", "four numbers"),
        ("box-text", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [0,0,\"1\",1]}]}]}",
         "images[0].objects[0].box", "four finite numbers"),
        ("box-outside", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [10, 10, 65, 20]}]}]}",
         "images[0].objects[0].box", "outside the 64×48 image a.png"),
        ("box-negative", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [-1, 0, 5, 5]}]}]}",
         "images[0].objects[0].box", "outside"),
        ("box-empty", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [5, 5, 5, 9]}]}]}",
         "images[0].objects[0].box", "x0 < x1"),
        ("missing-image", "{\"images\": [{\"file\": \"b.png\", \"objects\": [{\"class\": 1, \"box\": [0,0,1,1]}]}]}",
         "images[0].file", "no such file"),
        ("escape", "{\"images\": [{\"file\": \"../a.png\", \"objects\": [{\"class\": 1, \"box\": [0,0,1,1]}]}]}",
         "images[0].file", "inside the dataset folder"),
        ("absolute", "{\"images\": [{\"file\": \"/etc/passwd\", \"objects\": [{\"class\": 1, \"box\": [0,0,1,1]}]}]}",
         "images[0].file", "inside the dataset folder"),
        ("twice", "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [0,0,1,1]}]}, "
            + "{\"file\": \"a.png\", \"objects\": [{\"class\": 2, \"box\": [0,0,1,1]}]}]}", "images[1].file", "twice"),
    ] as [(String, String, String?, String)])
    func badAnnotations(name: String, json: String, field: String?, phrase: String) throws {
        let error = try #require(try Self.loadError(name, json))
        #expect(error.file.hasSuffix("annotations.json"))
        #expect(error.field == field)
        #expect(error.description.contains(phrase), "\(error)")
    }

    @Test("no annotations.json, and a dataset folder that does not exist")
    func missingAnnotations() throws {
        let error = try #require(try Self.loadError("no-annotations", nil))
        #expect(error.description.contains("annotations.json: no such file"), "\(error)")
        let nowhere = URL(fileURLWithPath: "/nonexistent/dataset")
        #expect(throws: PointingDatasetError.self) { try PointingDataset(directory: nowhere) }
    }

    @Test("an image that is not a PNG or JPEG is named by its field")
    func notAnImage() throws {
        let url = try Self.folder("not-image", json: "{\"images\": [{\"file\": \"a.txt\", \"objects\": [{\"class\": 1, \"box\": [0,0,1,1]}]}]}")
        try Data("text".utf8).write(to: url.appendingPathComponent("a.txt"))
        do {
            _ = try PointingDataset(directory: url)
            Issue.record("loaded a text file as an image")
        } catch {
            #expect(error.field == "images[0].file")
            #expect(error.description.contains("not a PNG or JPEG"), "\(error)")
        }
    }

    /// A map producer that peaks where the test says, so the driver's bookkeeping can be checked exactly.
    struct Oracle {
        var peaks: [Int: (x: Int, y: Int)]
        var method: SaliencyPointing {
            SaliencyPointing(name: "oracle") { _, target, width, height in
                var values = [Float](repeating: 0, count: width * height)
                let peak = peaks[target] ?? (0, 0)
                values[peak.y * width + peak.x] = 1
                return Tensor(shape: [1, 1, height, width], scalars: values)
            }
        }
    }

    @Test("the driver: one record per (image, class), hits by the tolerance, progress to the total")
    func driver() throws {
        let json = """
            {"images": [{"file": "a.png", "objects": [{"class": 1, "box": [0, 0, 10, 10]}, {"class": 2, "box": [40, 30, 64, 48]}]},
                        {"file": "b.png", "objects": [{"class": 1, "box": [30, 0, 40, 10]}]}]}
            """
        let url = try Self.folder("driver", json: json, images: ["a.png": (64, 48), "b.png": (64, 48)])
        let dataset = try PointingDataset(directory: url)
        // Class 1 peaks at (20, 5): 11 px from a.png's box (hit), 10 px from b.png's (hit);
        // class 2 peaks at (20, 40): 20 px from its box (miss).
        let oracle = Oracle(peaks: [1: (20, 5), 2: (20, 40)])
        var reports: [(Int, Int)] = []
        let result = try playPointingGame(dataset: dataset, method: oracle.method,
                                          preprocessing: PointingPreprocessing(shorterSide: 32, normalization: .unit),
                                          progress: { reports.append(($0, $1)) })
        #expect(result.records.map(\.file) == ["a.png", "a.png", "b.png"])
        #expect(result.records.map(\.classIndex) == [1, 2, 1])
        #expect(result.records.map(\.hit) == [true, false, true])
        #expect(result.records[1].point == ImagePoint(x: 20, y: 40))
        #expect(result.tally.classAccuracies == [1: 1, 2: 0])
        #expect(result.accuracy == 0.5)
        #expect(reports.first! == (0, 3) && reports.last! == (3, 3) && reports.count == 4)

        let center = try playPointingGame(dataset: dataset, method: CenterPointing(),
                                          preprocessing: PointingPreprocessing(shorterSide: 32, normalization: .unit))
        #expect(center.records.allSatisfy { $0.point == ImagePoint(x: 32, y: 24) })
        // (32, 24) is 10 px from a.png's class-2 box (hit), 23 px from its class-1 box, and exactly 15 px
        // below b.png's box: a miss, as the tolerance is strict.
        #expect(center.records.map(\.hit) == [false, true, false])
    }

    @Test("a map producer of the wrong size is an error naming the method, not a trap")
    func wrongMapSize() throws {
        let url = try Self.folder("wrong-size", json: "{\"images\": [{\"file\": \"a.png\", \"objects\": [{\"class\": 1, \"box\": [0,0,1,1]}]}]}")
        let dataset = try PointingDataset(directory: url)
        let broken = SaliencyPointing(name: "broken") { _, _, _, _ in Tensor(repeating: 0, shape: [1, 1, 7, 7]) }
        #expect(throws: AttributionError.self) {
            try playPointingGame(dataset: dataset, method: broken,
                                 preprocessing: PointingPreprocessing(normalization: .unit))
        }
    }
}
