import ArgumentParser
import Attribution
import Engine
import Foundation
import Imaging
import Models

extension TutorCommand {
    /// `tutor faithfulness`: the RISE paper's deletion and insertion curves and their AUCs for one map.
    struct Faithfulness: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deletion and insertion AUC (RISE paper) of a saliency map: lower deletion, higher insertion is better.",
            discussion: """
                Pixels are removed (deletion: set to 0 in normalised space) or put back into a blurred copy \
                (insertion: 11×11 Gaussian, σ = 5) from the most to the least salient, --step pixels at a time, \
                and the class's softmax probability is recorded after each step. The map comes from --method \
                (resized to the input) or from --map FILE.npy (any method's map at the input's size).
                With --dataset DIR (a pointing-game folder, e.g. Lessons/benchmark) every (image, class) pair is \
                traced on the 224×224 crop of its image and the mean curves and their AUCs are reported.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("A PNG or JPEG photo; resized, centre-cropped and normalised for the model.",
                                   valueName: "photo"), completion: .file(extensions: ["png", "jpg", "jpeg"]))
        var image: String?

        @Option(help: ArgumentHelp("An exact preprocessed 1×3×H×W float32 tensor (.npy).", valueName: "npy"),
                completion: .file(extensions: ["npy"]))
        var input: String?

        @Option(help: ArgumentHelp("A pointing-game dataset folder: mean curves over its (image, class) pairs.",
                                   valueName: "dir"), completion: .directory)
        var dataset: String?

        @Option(help: ArgumentHelp("Method whose map is evaluated: \(EvaluatedMethod.validNames).", valueName: "method"))
        var method: String?

        @OptionGroup(title: "Method settings (defaults: TorchRay's benchmark)") var methodOptions: EvaluationMethodOptions

        @Option(help: ArgumentHelp("Evaluate this map instead (.npy, H×W or 1×1×H×W at the input's size).", valueName: "npy"),
                completion: .file(extensions: ["npy"]))
        var map: String?

        @Option(help: ArgumentHelp("Class to explain (default: the model's top-1 class on the input, as in the paper).",
                                   valueName: "class"))
        var target: Int?

        @Option(help: ArgumentHelp("Saliency layer for --method (grad-cam default: the usual late layer).", valueName: "path"))
        var layer: String?

        @Option(help: ArgumentHelp("deletion, insertion or both.", valueName: "metric"))
        var metric: MetricChoice = .both

        @Option(help: ArgumentHelp("Pixels changed per step (default: the input's width, 224 as in the paper).", valueName: "n"))
        var step: Int?

        @Option(help: ArgumentHelp("Perturbed images per forward pass.", valueName: "n"))
        var batchSize: Int = 8

        @Option(help: ArgumentHelp("Write the AUCs and the curves as JSON.", valueName: "file"))
        var json: String?

        func validate() throws {
            try CLIError.exitingOnError {
                guard [image, input, dataset].compactMap({ $0 }).count == 1 else {
                    throw CLIError.invalid(argument: "--image/--input/--dataset", "give exactly one of --image PHOTO, "
                        + "--input TENSOR.npy or --dataset DIR")
                }
                if dataset != nil {
                    if map != nil { throw CLIError.invalid(argument: "--map", "--dataset needs --method (one map per image and class)") }
                    if target != nil { throw CLIError.invalid(argument: "--target", "--dataset explains the annotated classes") }
                }
                guard (method == nil) != (map == nil) else {
                    throw CLIError.invalid(argument: "--method/--map", "give exactly one of --method NAME or --map FILE.npy")
                }
                if let method { try methodOptions.validate(for: try EvaluatedMethod(parsing: method)) }
                if map != nil, let (flag, _) = methodOptions.firstGiven {
                    throw CLIError.invalid(argument: flag, "goes with --method, not --map")
                }
                if let step, step < 1 { throw CLIError.invalid(argument: "--step", "must be at least 1, got \(step)") }
                guard batchSize >= 1 else { throw CLIError.invalid(argument: "--batch-size", "must be at least 1, got \(batchSize)") }
                if let target, !(0..<ImageNetLabels.count).contains(target) {
                    throw CLIError.invalid(argument: "--target", "class \(target) is out of range; valid: 0..<\(ImageNetLabels.count)")
                }
                if map != nil, layer != nil { throw CLIError.invalid(argument: "--layer", "--layer goes with --method, not --map") }
                _ = try modelOptions.architecture()
                if let json { try OutputFile.checkWritable(json, argument: "--json") }
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                if let dataset { return try runDataset(dataset) }
                let loaded = try modelOptions.load()
                let input = try loadInput(for: loaded.architecture)
                guard input.shape[0] == 1 else {
                    throw CLIError.invalid(argument: "--input", "has \(input.shape[0]) images; deletion/insertion take one")
                }
                let classIndex = target ?? topClass(loaded, input)
                let saliencyMap = try self.saliencyMap(loaded, input: input, target: classIndex)
                let stepSize = step ?? input.shape[3]
                var curves: [(CausalMetric.Kind, [Double])] = []
                for kind in metric.kinds {
                    let causal = CausalMetric(kind: kind, step: stepSize, batchSize: batchSize)
                    do {
                        let curve = try ProgressBar.showing(kind.rawValue) { bar in
                            try causal.curve(model: loaded.module, input: input, saliency: saliencyMap, target: classIndex,
                                             progress: bar.callback)
                        }
                        curves.append((kind, curve))
                    } catch let error as AttributionError {
                        throw CLIError.invalid(argument: map != nil ? "--map" : "--method", error.description)
                    }
                }
                let source = map ?? method!
                print("\(loaded.displayName), class \(classIndex) (\(ImageNetLabels.name(classIndex))), map: \(source), step \(stepSize) px")
                for (kind, values) in curves {
                    let auc = areaUnderCurve(values) ?? values.first ?? 0
                    print("  \(kind.rawValue) AUC " + String(format: "%.4f", auc)
                        + " (\(values.count) points, \(kind == .deletion ? "lower" : "higher") is better)")
                }
                if let json { try writeJSON(json, model: loaded, target: classIndex, step: stepSize, source: source, curves: curves) }
            }
        }

        /// --image (resize 256, crop 224, normalise) or --input (as is).
        private func loadInput(for arch: Architecture) throws -> Tensor {
            if let image {
                let photo = try ModelInput.photo(at: image, for: arch)
                return photo.tensor(normalization: ModelInput.normalization(for: arch))
            }
            let path = input!
            let tensor: Tensor
            do { tensor = try Tensor(npyFile: URL(fileURLWithPath: path)) } catch {
                throw CLIError.invalid(argument: "--input", "\(error)")
            }
            guard tensor.rank == 4, tensor.shape[1] == 3 else {
                throw CLIError.invalid(argument: "--input", "\(path) has shape \(tensor.shape); expected 1×3×H×W float32")
            }
            return tensor
        }

        /// --dataset: mean curves over every (image, class) pair, each on the model's 224×224 crop.
        private func runDataset(_ folder: String) throws {
            let data: PointingDataset
            do { data = try PointingDataset(directory: URL(fileURLWithPath: folder), classCount: ImageNetLabels.count) } catch {
                throw CLIError.invalid(argument: "--dataset", "\(error)")
            }
            let loaded = try modelOptions.load()
            let arch = loaded.architecture
            let kind = try EvaluatedMethod(parsing: method!)
            let maps = try methodOptions.maps(for: kind, model: loaded, layer: layer)
            let size = arch.inputSize
            // The RISE notebook's batch setting: eight rows per step.
            let stepSize = step ?? size * 8
            let result: CausalDatasetResult
            do {
                result = try ProgressBar.showing("faithfulness (\(kind))") { bar in
                    try traceCausalMetrics(
                        dataset: data, kinds: metric.kinds, step: stepSize, batchSize: batchSize, model: loaded.module,
                        prepare: { ModelInput.crop($0, for: arch).tensor(normalization: ModelInput.normalization(for: arch)) },
                        map: maps.inputMap, progress: bar.callback)
                }
            } catch let error as ImageFileError {
                throw CLIError.invalid(argument: "--dataset", error.description)
            } catch {
                guard let (argument, message) = EvaluationMaps.argument(for: error, fallback: "--dataset") else { throw error }
                throw CLIError.invalid(argument: argument, message)
            }
            print("\(loaded.displayName), \(kind) on \(folder): \(result.pairs.count) (image, class) pairs, step \(stepSize) px")
            for kind in metric.kinds {
                print("  \(kind.rawValue) AUC of the mean curve " + String(format: "%.4f", result.auc(kind) ?? 0)
                    + " (\(kind == .deletion ? "lower" : "higher") is better)")
            }
            if let json {
                let document = DatasetDocument(
                    model: arch.rawValue, method: kind.description, dataset: folder, step: stepSize,
                    deletion: result.meanCurves[.deletion].map { CurveEntry(auc: areaUnderCurve($0) ?? 0, curve: $0) },
                    insertion: result.meanCurves[.insertion].map { CurveEntry(auc: areaUnderCurve($0) ?? 0, curve: $0) },
                    pairs: result.pairs.map { PairEntry(file: $0.file, class: $0.classIndex, deletion_auc: $0.auc[.deletion],
                                                         insertion_auc: $0.auc[.insertion]) })
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try OutputFile.write(try encoder.encode(document), to: json, argument: "--json")
                print("wrote \(json)")
            }
        }

        private struct PairEntry: Encodable {
            var file: String
            var `class`: Int
            var deletion_auc: Double?
            var insertion_auc: Double?
        }

        private struct DatasetDocument: Encodable {
            var model: String
            var method: String
            var dataset: String
            var step: Int
            var deletion: CurveEntry?
            var insertion: CurveEntry?
            var pairs: [PairEntry]
        }

        private func topClass(_ model: Model, _ input: Tensor) -> Int {
            let scores = model.module(input).scalars
            return scores.indices.max { scores[$0] < scores[$1] } ?? 0
        }

        /// The map from --map, or --method's map resized to the input.
        private func saliencyMap(_ model: Model, input: Tensor, target: Int) throws -> Tensor {
            if let map {
                do { return try Tensor(npyFile: URL(fileURLWithPath: map)) } catch {
                    throw CLIError.invalid(argument: "--map", "\(error)")
                }
            }
            let maps = try methodOptions.maps(for: try EvaluatedMethod(parsing: method!), model: model, layer: layer)
            do {
                return try maps.inputMap(input: input, target: target)
            } catch {
                guard let (argument, message) = EvaluationMaps.argument(for: error, fallback: "--method") else { throw error }
                throw CLIError.invalid(argument: argument, message)
            }
        }

        private struct CurveEntry: Encodable {
            var auc: Double
            var curve: [Double]
        }

        private struct Document: Encodable {
            var model: String
            var map: String
            var target: Int
            var step: Int
            var deletion: CurveEntry?
            var insertion: CurveEntry?
        }

        private func writeJSON(_ path: String, model: Model, target: Int, step: Int, source: String,
                               curves: [(CausalMetric.Kind, [Double])]) throws {
            var document = Document(model: model.architecture.rawValue, map: source, target: target, step: step)
            for (kind, values) in curves {
                let entry = CurveEntry(auc: areaUnderCurve(values) ?? values.first ?? 0, curve: values)
                if kind == .deletion { document.deletion = entry } else { document.insertion = entry }
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try OutputFile.write(try encoder.encode(document), to: path, argument: "--json")
            print("wrote \(path)")
        }
    }
}

/// `--metric`: which causal curves to trace.
enum MetricChoice: String, ExpressibleByArgument, CaseIterable {
    case deletion, insertion, both

    var kinds: [CausalMetric.Kind] {
        switch self {
        case .deletion: [.deletion]
        case .insertion: [.insertion]
        case .both: [.deletion, .insertion]
        }
    }
}
