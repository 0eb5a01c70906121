import ArgumentParser
import Attribution
import Engine
import Foundation
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
                """)

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var inputOptions: InputOptions

        @Option(help: ArgumentHelp("Method whose map is evaluated: \(Method.validNames).", valueName: "method"))
        var method: String?

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
                guard (method == nil) != (map == nil) else {
                    throw CLIError.invalid(argument: "--method/--map", "give exactly one of --method NAME or --map FILE.npy")
                }
                if let method { _ = try parsedMethod(method) }
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
                let loaded = try modelOptions.load()
                let (input, _) = try inputOptions.load(for: loaded.architecture)
                guard input.shape[0] == 1 else {
                    throw CLIError.invalid(argument: "--input", "has \(input.shape[0]) images; deletion/insertion take one")
                }
                let classIndex = target ?? topClass(loaded, input)
                let saliencyMap = try self.saliencyMap(loaded, input: input, target: classIndex)
                let stepSize = step ?? input.shape[3]
                var curves: [(CausalMetric.Kind, [Double])] = []
                for kind in metric.kinds {
                    let causal = CausalMetric(kind: kind, step: stepSize, batchSize: batchSize)
                    let bar = ProgressBar(label: kind.rawValue)
                    defer { bar.finish() }
                    do {
                        curves.append((kind, try causal.curve(model: loaded.module, input: input, saliency: saliencyMap,
                                                              target: classIndex, progress: bar.callback)))
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

        private func parsedMethod(_ text: String) throws -> Method {
            do { return try Method(parsing: text) } catch {
                throw CLIError.invalid(argument: "--method", "unknown method '\(text)'; valid: \(Method.validNames)")
            }
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
            let kind = try parsedMethod(method!)
            let path = layer ?? (kind.requiresLayer ? BenchInput.lateLayer(model.architecture) : nil)
            do {
                return try saliency(model: model, input: input, target: .classIndex(target), method: kind,
                                    layer: path.map { LayerPath($0) }, resize: .toInput)
            } catch let error as AttributionError {
                throw CLIError.invalid(argument: error.isLayerError ? "--layer" : "--method", error.description)
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
