import ArgumentParser
import Attribution
import Engine
import Foundation
import Imaging
import Models

extension TutorCommand {
    /// `tutor sanity-check`: the model-randomisation test of Adebayo et al. (2018) for one method and image.
    struct SanityCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sanity-check",
            abstract: "Re-initialise the model's layers from the top down and compare each map with the trained model's "
                + "(Spearman rank correlation, SSIM, top-10% overlap).")

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var inputOptions: InputOptions
        @OptionGroup(title: "Method settings") var methodSettings: MethodSettingsOptions

        @Option(help: ArgumentHelp("Method: \(Method.validNames).", valueName: "method"))
        var method: String

        @Option(help: ArgumentHelp("Class index to explain (0–999 for ImageNet).", valueName: "class"))
        var target: Int

        @Option(help: ArgumentHelp("Saliency layer (default: the input; grad-cam requires one).", valueName: "path"))
        var layer: String?

        @Option(help: ArgumentHelp("Seed of the random re-initialisation.", valueName: "n"))
        var initSeed: UInt64 = 1

        @Option(help: ArgumentHelp("Stop after this many layer groups (default: all, down to the first layer).", valueName: "n"))
        var maxSteps: Int?

        @Option(help: ArgumentHelp("Also write the steps as JSON to this file.", valueName: "file"))
        var json: String?

        @Option(help: ArgumentHelp("Also write a PNG grid of the maps (trained, then each step) over the image.",
                                   valueName: "file"))
        var out: String?

        func validate() throws {
            try CLIError.exitingOnError {
                _ = try methodSettings.settings(for: try parsedMethod(), layer: layer)
                _ = try modelOptions.architecture()
                if let maxSteps, maxSteps < 1 { throw CLIError.invalid(argument: "--max-steps", "must be at least 1, got \(maxSteps)") }
                if let json, json.isEmpty { throw CLIError.invalid(argument: "--json", "needs a file name") }
                if let out, !out.hasSuffix(".png") { throw CLIError.invalid(argument: "--out", "'\(out)' must end in .png") }
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                let method = try parsedMethod()
                let settings = try methodSettings.settings(for: method, layer: layer)
                let loaded = try modelOptions.load()
                let (input, image) = try inputOptions.load(for: loaded.architecture)
                let path = layer.map { LayerPath($0) }
                do {
                    // The trained model's map first, through the Model-level checks (input size, layer names).
                    _ = try saliency(model: loaded, input: input, target: .classIndex(target), method: method, layer: path,
                                     settings: settings)
                } catch let error as AttributionError {
                    throw CLIError.invalid(argument: Self.argument(for: error, input: inputOptions.input != nil), error.description)
                }
                let result = try ProgressBar.showing("sanity-check") { bar in
                    try Attribution.sanityCheck(
                        model: loaded, input: input, target: .classIndex(target), method: method, layer: path, settings: settings,
                        seed: initSeed, maxSteps: maxSteps, progress: bar.callback)
                }
                print(SanityReport.table(result, title: "\(method) on \(loaded.displayName), class \(target)"))
                if let json {
                    try SanityReport.json(result, model: loaded.architecture.rawValue, method: method.rawValue, target: target)
                        .write(to: URL(fileURLWithPath: json))
                    print("wrote \(json)")
                }
                if let out {
                    let background = image ?? Image(tensor: input, normalization: ModelInput.normalization(for: loaded.architecture))
                    let signed = [.linearApprox, .integratedGradients, .excitationBackprop].contains(method)
                    try SanityReport.grid(result, over: background, signed: signed).writePNG(to: URL(fileURLWithPath: out))
                    print("wrote \(out)")
                }
            }
        }

        private func parsedMethod() throws -> Method {
            do { return try Method(parsing: method) } catch {
                throw CLIError.invalid(argument: "--method", "\(error)")
            }
        }

        static func argument(for error: AttributionError, input: Bool) -> String {
            switch error {
            case .unknownLayer, .layerRequired, .layerNotReached: "--layer"
            case .invalidInputShape: input ? "--input" : "--image"
            case .targetOutOfRange, .targetCountMismatch, .gradientShapeMismatch, .pointingUnsupported: "--target"
            case .unknownMethod: "--method"
            case .invalidOption: "--method"
            case .invalidSetting(let setting, _): MethodSettingsOptions.argument(for: setting)
            }
        }
    }
}

/// Text and JSON forms of a sanity-check result.
enum SanityReport {
    static func format(_ v: Double) -> String { v.isNaN ? "   n/a" : String(format: "%6.3f", v) }

    static func table(_ result: SanityCheckResult, title: String) -> String {
        var lines = ["sanity check: \(title)",
                     "randomised down to      spearman  |spearman|   ssim  top-10%"]
        for step in result.steps {
            let name = step.layer.padding(toLength: max(22, step.layer.count), withPad: " ", startingAt: 0)
            lines.append("\(name)  \(format(step.spearman))    \(format(step.spearmanAbs))  \(format(step.ssim))  \(format(step.topKOverlap))")
        }
        return lines.joined(separator: "\n")
    }

    /// The trained model's map, then one cell per step titled with the group and the rank correlation.
    static func grid(_ result: SanityCheckResult, over image: Image, signed: Bool) -> Image {
        func cell(_ map: Tensor) -> Image {
            var first = map.shape[0] == 1 ? map : map[0].reshaped([1] + map.shape.dropFirst())
            if first.shape[2] != image.height || first.shape[3] != image.width {
                first = first.resized(height: image.height, width: image.width, mode: .bilinear)
            }
            return Heatmap(map: first, normalization: signed ? .symmetric : .minMax).overlay(on: image, alpha: 0.5)
        }
        var grid = Grid(columns: min(6, result.steps.count + 1))
        grid.append(cell(result.original), title: "trained")
        for step in result.steps {
            grid.append(cell(step.map), title: "\(step.layer) rho=\(format(step.spearmanAbs).trimmingCharacters(in: .whitespaces))")
        }
        return grid.sheet()
    }

    static func json(_ result: SanityCheckResult, model: String, method: String, target: Int) throws -> Data {
        func number(_ v: Double) -> Any { v.isFinite ? v : NSNull() }
        let steps: [[String: Any]] = result.steps.map { step in
            ["randomized": step.layer, "spearman": number(step.spearman), "spearman_abs": number(step.spearmanAbs),
             "ssim": number(step.ssim), "top_k_overlap": number(step.topKOverlap)]
        }
        let object: [String: Any] = ["model": model, "method": method, "target": target,
                                     "map_shape": result.original.shape, "steps": steps]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
