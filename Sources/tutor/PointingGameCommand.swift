import ArgumentParser
import Attribution
import Engine
import Foundation
import Imaging
import Models

extension TutorCommand {
    /// `tutor pointing-game`: TorchRay's pointing game of one method over a dataset folder.
    struct PointingGameCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pointing-game",
            abstract: "Play TorchRay's pointing game (hit within 15 px of an object of the class) over a dataset folder.",
            discussion: """
                DIR holds annotations.json and the images (PNG or JPEG):
                  {"images": [{"file": "a.png", "objects": [{"class": 281, "box": [x0, y0, x1, y1]}]}]}
                Boxes are in pixels of the image file; classes are the model's class indices. The accuracy is the \
                mean of the per-class accuracies over the classes present (TorchRay averages over all 20 VOC classes).
                The built-in benchmark: Lessons/benchmark.
                Every method runs with TorchRay's benchmark settings: the pointing gradient; smoothing 0.02 at the \
                input (none for grad-cam and excitation backprop); rise on the input resized to a square with 8000 \
                masks; extremal-perturbation with areas 0.025,0.05,0.1,0.2 summed, 800 iterations, smoothing 0.09. \
                These take hours on 2 cores: lower --num-masks (e.g. 500), --max-iter (e.g. 50), --steps or \
                --samples for a quick run. integrated-gradients, smoothgrad and occlusion are not in TorchRay's \
                benchmark (defaults: 50 steps, 50 samples, a 16 px window at stride 8).
                """)

        @Option(help: ArgumentHelp("Dataset folder with annotations.json and the images.", valueName: "dir"),
                completion: .directory)
        var dataset: String

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("center (the baseline), or a method: \(EvaluatedMethod.validNames).", valueName: "method"))
        var method: String

        @OptionGroup(title: "Method settings (defaults: TorchRay's benchmark)") var methodOptions: EvaluationMethodOptions

        @Option(help: ArgumentHelp("Saliency layer (default: TorchRay's benchmark layer: grad-cam the usual late layer, "
            + "(contrastive) excitation backprop VGG16 features.23, ResNet50 layer3; the input otherwise).",
                                   valueName: "path"))
        var layer: String?

        @Option(help: ArgumentHelp("Hit radius in pixels (strictly less than this).", valueName: "px"))
        var tolerance: Double = 15

        @Option(help: ArgumentHelp("Write accuracy, per-class accuracies and every (image, class) point and hit as JSON.",
                                   valueName: "file"))
        var json: String?

        func validate() throws {
            try CLIError.exitingOnError {
                guard tolerance > 0, tolerance.isFinite else {
                    throw CLIError.invalid(argument: "--tolerance", "\(tolerance) must be a finite number > 0")
                }
                try PointingMethodName(parsing: method).validate(options: methodOptions)
                _ = try modelOptions.architecture()
                if let json { try OutputFile.checkWritable(json, argument: "--json") }
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                let name = try PointingMethodName(parsing: method)
                let data: PointingDataset
                do {
                    data = try PointingDataset(directory: URL(fileURLWithPath: dataset), classCount: ImageNetLabels.count)
                } catch {
                    throw CLIError.invalid(argument: "--dataset", "\(error)")
                }
                let loaded = try modelOptions.load()
                let pointing = try name.pointingMethod(model: loaded, layer: layer, options: methodOptions)
                let preprocessing = PointingPreprocessing(
                    shorterSide: loaded.architecture.inputSize, normalization: ModelInput.normalization(for: loaded.architecture))
                let result: PointingGameResult
                do {
                    result = try ProgressBar.showing("pointing game (\(name))") { bar in
                        try playPointingGame(dataset: data, method: pointing, preprocessing: preprocessing,
                                             game: PointingGame(tolerance: tolerance), progress: bar.callback)
                    }
                } catch let error as ImageFileError {
                    throw CLIError.invalid(argument: "--dataset", error.description)
                } catch {
                    guard let (argument, message) = EvaluationMaps.argument(for: error, fallback: "--dataset") else { throw error }
                    throw CLIError.invalid(argument: argument, message)
                }
                PointingReport.printSummary(result, model: loaded, dataset: dataset)
                if let json {
                    try PointingReport.write(result, dataset: data, model: loaded, to: json)
                    print("wrote \(json)")
                }
            }
        }
    }
}

/// `--method` of the pointing game: TorchRay's `center` baseline or any saliency method.
enum PointingMethodName: CustomStringConvertible {
    case center
    case method(EvaluatedMethod)

    /// All valid names, for help and errors.
    static var validNames: String { "center, " + EvaluatedMethod.validNames }

    init(parsing text: String) throws {
        if text.lowercased() == "center" {
            self = .center
            return
        }
        do { self = .method(try EvaluatedMethod(parsing: text)) } catch {
            throw CLIError.invalid(argument: "--method", "unknown method '\(text)'; valid: \(Self.validNames)")
        }
    }

    var description: String {
        switch self {
        case .center: "center"
        case .method(let method): method.description
        }
    }

    /// The pointing method with TorchRay's benchmark settings (§4.6) and the counts given in `options`.
    func pointingMethod(model: Model, layer: String?, options: EvaluationMethodOptions) throws -> PointingMethod {
        switch self {
        case .center:
            if layer != nil { throw CLIError.invalid(argument: "--layer", "the center baseline takes no layer") }
            return CenterPointing()
        case .method(let method):
            let maps = try options.maps(for: method, model: model, layer: layer)
            return SaliencyPointing(name: method.description, map: maps.pointingMap)
        }
    }

    /// Checks the method's options before the model is loaded.
    func validate(options: EvaluationMethodOptions) throws {
        guard case .method(let method) = self else {
            if let (flag, _) = options.firstGiven { throw CLIError.invalid(argument: flag, "the center baseline takes no settings") }
            return
        }
        try options.validate(for: method)
    }
}

extension AttributionError {
    /// Whether the error is about the saliency layer.
    var isLayerError: Bool {
        switch self {
        case .unknownLayer, .layerRequired, .layerNotReached: true
        default: false
        }
    }
}

/// Output files named on the command line: refuse a missing folder before hours of work, not after.
enum OutputFile {
    static func checkWritable(_ path: String, argument: String) throws {
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw CLIError.invalid(argument: argument, "\(path) is a folder; give a file name")
        }
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw CLIError.invalid(argument: argument, "the folder \(folder) does not exist")
        }
    }

    /// Writes `data`, naming the argument on failure.
    static func write(_ data: Data, to path: String, argument: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError.invalid(argument: argument, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// The pointing game's terminal summary and JSON file.
enum PointingReport {
    static func printSummary(_ result: PointingGameResult, model: Model, dataset: String) {
        let pairs = result.records.count
        let hits = result.records.filter(\.hit).count
        print("pointing game: \(result.method) on \(model.displayName), \(dataset): "
            + String(format: "accuracy %.1f%%", result.accuracy * 100)
            + " (mean over \(result.tally.counts.count) classes; \(hits)/\(pairs) pairs hit, tolerance \(result.tolerance.cleanText) px)")
        for (classIndex, accuracy) in result.tally.classAccuracies.sorted(by: { $0.key < $1.key }) {
            let counts = result.tally.counts[classIndex]!
            let name = ImageNetLabels.name(classIndex)
            let padded = name + String(repeating: " ", count: max(0, 28 - name.count))
            print(String(format: "  %4d ", classIndex) + padded
                + String(format: " %5.1f%%  (%d/%d)", accuracy * 100, counts.hits, counts.hits + counts.misses))
        }
    }

    struct ClassEntry: Encodable {
        var `class`: Int
        var name: String
        var hits: Int
        var misses: Int
        var accuracy: Double
    }

    struct PairEntry: Encodable {
        var `class`: Int
        var point: [Double]
        var hit: Bool
    }

    struct ImageEntry: Encodable {
        var file: String
        var width: Int
        var height: Int
        var results: [PairEntry]
    }

    struct Document: Encodable {
        var model: String
        var method: String
        var dataset: String
        var tolerance: Double
        var accuracy: Double
        var class_accuracies: [String: Double]
        var classes: [ClassEntry]
        var images: [ImageEntry]
    }

    static func document(_ result: PointingGameResult, dataset: PointingDataset, model: Model) -> Document {
        let classes = result.tally.counts.keys.sorted().map { id in
            let counts = result.tally.counts[id]!
            return ClassEntry(class: id, name: ImageNetLabels.name(id), hits: counts.hits, misses: counts.misses,
                              accuracy: result.tally.classAccuracies[id] ?? 0)
        }
        let byFile = Dictionary(grouping: result.records, by: \.file)
        let images = dataset.images.map { image in
            ImageEntry(file: image.file, width: image.width, height: image.height,
                       results: (byFile[image.file] ?? []).map {
                           PairEntry(class: $0.classIndex, point: [$0.point.x, $0.point.y], hit: $0.hit)
                       })
        }
        let perClass = Dictionary(uniqueKeysWithValues: result.tally.classAccuracies.map { (String($0.key), $0.value) })
        return Document(model: model.architecture.rawValue, method: result.method, dataset: dataset.directory.path,
                        tolerance: result.tolerance, accuracy: result.accuracy, class_accuracies: perClass,
                        classes: classes, images: images)
    }

    static func write(_ result: PointingGameResult, dataset: PointingDataset, model: Model, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(document(result, dataset: dataset, model: model))
        try OutputFile.write(data, to: path, argument: "--json")
    }
}

extension Double {
    /// "15" for whole numbers, "14.9" otherwise.
    var cleanText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
