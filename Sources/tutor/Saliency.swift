import ArgumentParser
import Attribution
import Engine
import Foundation
import Imaging
import Models

extension TutorCommand {
    /// `tutor saliency`: one saliency map as a raw .npy (N×1×h×w) or a heatmap PNG over the image.
    struct Saliency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute one saliency map (TorchRay semantics) and write it as .npy or a .png heatmap.")

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var inputOptions: InputOptions
        @OptionGroup(title: "Method settings") var methodSettings: MethodSettingsOptions

        @Option(help: ArgumentHelp("Method: \(Method.validNames), \(PerturbationMethod.validNames).", valueName: "method"))
        var method: String

        @Option(help: ArgumentHelp("Class index to explain (0–999 for ImageNet).", valueName: "class"))
        var target: Int?

        @Option(help: ArgumentHelp("Saliency layer, a dotted module path (features.29, layer4, _blocks.15); "
            + "default: the input (grad-cam requires one).", valueName: "path"))
        var layer: String?

        @Flag(help: "Resize the map to the input size.")
        var resize = false

        @Option(help: ArgumentHelp("Interpolation for --resize (nearest works here, unlike in TorchRay).", valueName: "mode"))
        var resizeMode: ResizeModeArgument = .bilinear

        @Option(help: ArgumentHelp("Gaussian smoothing, σ as a fraction of the map's larger side.", valueName: "f"))
        var smooth: Float = 0

        @Option(help: ArgumentHelp("Output file: .npy (raw map) or .png (heatmap over the image).", valueName: "file"))
        var out: String

        @OptionGroup(title: "Perturbation methods (rise, rise-class, extremal-perturbation, occlusion)")
        var perturbationOptions: PerturbationOptions

        func validate() throws {
            try CLIError.exitingOnError {
                guard out.hasSuffix(".npy") || out.hasSuffix(".png") else {
                    throw CLIError.invalid(argument: "--out", "'\(out)' must end in .npy (raw map) or .png (heatmap)")
                }
                guard smooth >= 0, smooth.isFinite else {
                    throw CLIError.invalid(argument: "--smooth", "\(smooth) must be a finite number ≥ 0")
                }
                if let perturbation = PerturbationMethod(name: method) {
                    do {
                        try perturbationOptions.validate(perturbation, target: target, smooth: smooth, out: out, layer: layer,
                                                         batchSize: methodSettings.batchSize, baseline: methodSettings.baseline)
                    } catch let error as PerturbationError {
                        throw CLIError.invalid(argument: error.option.flag, error.message)
                    }
                } else {
                    _ = try methodSettings.settings(for: try parsedMethod(), layer: layer)
                    guard target != nil else { throw CLIError.invalid(argument: "--target", "give the class to explain") }
                }
                _ = try modelOptions.architecture()
            }
        }

        func run() throws {
            try CLIError.exitingOnError {
                if let perturbation = PerturbationMethod(name: method) { return try runPerturbation(perturbation) }
                let method = try parsedMethod()
                guard let target else { throw CLIError.invalid(argument: "--target", "give the class to explain") }
                var settings = try methodSettings.settings(for: method, layer: layer)
                let bar = ProgressBar(label: method.rawValue)
                defer { bar.finish() }
                settings.progress = bar.callback
                let loaded = try modelOptions.load()
                let (input, image) = try inputOptions.load(for: loaded.architecture)
                let map: Tensor
                do {
                    map = try saliency(
                        model: loaded, input: input, target: .classIndex(target), method: method,
                        layer: layer.map { LayerPath($0) }, settings: settings, resize: resize ? .toInput : .none,
                        resizeMode: resizeMode.mode, smooth: smooth)
                } catch let error as AttributionError {
                    throw CLIError.invalid(argument: argument(for: error), error.description)
                }
                let url = URL(fileURLWithPath: out)
                if out.hasSuffix(".npy") {
                    try map.writeNPY(to: url)
                } else {
                    let background = image ?? Image(tensor: input, normalization: ModelInput.normalization(for: loaded.architecture))
                    let title = "\(method), class \(target) (\(ImageNetLabels.name(target))), \(loaded.displayName)"
                    let first = map.shape[0] == 1 ? map : map[0].reshaped([1] + map.shape.dropFirst())
                    try SaliencyPicture.render(map: first, over: background, signed: [.linearApprox, .integratedGradients, .excitationBackprop].contains(method), title: title)
                        .writePNG(to: url)
                }
                print("wrote \(out) (\(map.shape.map(String.init).joined(separator: "×")))")
            }
        }

        private func parsedMethod() throws -> Method {
            do { return try Method(parsing: method) } catch {
                throw CLIError.invalid(argument: "--method", "\(error); perturbation methods: \(PerturbationMethod.validNames)")
            }
        }

        /// The command-line argument an attribution error is about.
        private func argument(for error: AttributionError) -> String {
            switch error {
            case .unknownLayer, .layerRequired, .layerNotReached: "--layer"
            case .invalidInputShape: inputOptions.input != nil ? "--input" : "--image"
            case .targetOutOfRange, .targetCountMismatch, .gradientShapeMismatch, .pointingUnsupported: "--target"
            case .unknownMethod: "--method"
            case .invalidOption: "--smooth"
            case .invalidSetting(let setting, _): MethodSettingsOptions.argument(for: setting)
            }
        }
    }
}

/// `--resize-mode`: PyTorch's interpolation modes (nearest works here, unlike in TorchRay).
enum ResizeModeArgument: String, ExpressibleByArgument, CaseIterable {
    case bilinear, bicubic, nearest

    var mode: ResizeMode {
        switch self {
        case .bilinear: .bilinear
        case .bicubic: .bicubic
        case .nearest: .nearest
        }
    }
}

/// The heatmap PNG: the map (bilinearly resized to the image) over a greyed copy of the image, with a title.
enum SaliencyPicture {
    static func render(map: Tensor, over image: Image, signed: Bool, title: String) -> Image {
        var map = map
        if map.shape[2] != image.height || map.shape[3] != image.width {
            map = map.resized(height: image.height, width: image.width, mode: .bilinear)
        }
        // Signed maps (linear approximation) get the diverging colormap centred on zero.
        let heatmap = Heatmap(map: map, normalization: signed ? .symmetric : .minMax)
        var grid = Grid(columns: 1)
        grid.append(heatmap.overlay(on: image, alpha: 0.5), title: title)
        return grid.sheet()
    }
}
