import ArgumentParser
import Attribution
import Engine
import Foundation
import Models

/// A `--method` of the evaluation commands (pointing game, faithfulness): a backpropagation method or a
/// perturbation method, parsed once at the edge.
enum EvaluatedMethod: CustomStringConvertible, Equatable {
    case saliency(Method)
    case perturbation(PerturbationMethod)

    /// All method names, for help and errors.
    static var validNames: String { Method.validNames + ", " + PerturbationMethod.validNames }

    /// Parses a method name; unknown names exit 2 naming `--method`.
    init(parsing text: String) throws {
        if let perturbation = PerturbationMethod(name: text) {
            self = .perturbation(perturbation)
        } else if let method = try? Method(parsing: text) {
            self = .saliency(method)
        } else {
            throw CLIError.invalid(argument: "--method", "unknown method '\(text)'; valid: \(Self.validNames)")
        }
    }

    var description: String {
        switch self {
        case .saliency(let method): method.rawValue
        case .perturbation(let method): method.rawValue
        }
    }
}

/// The settings of every method the evaluation commands run, with TorchRay's benchmark values (§4.6) as
/// defaults; smaller counts (`--num-masks`, `--max-iter`, `--steps`, `--samples`) make them usable on a laptop.
struct EvaluationMethodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("contrastive-excitation-backprop: the contrast layer "
        + "(default: TorchRay's benchmark layer, VGG16 classifier.4, ResNet50 avgpool).", valueName: "path"))
    var contrastLayer: String?

    @Option(help: ArgumentHelp("integrated-gradients: points on the path from the zero baseline (default 50).",
                               valueName: "n"))
    var steps: Int?

    @Option(help: ArgumentHelp("smoothgrad: noisy samples (default 50).", valueName: "n"))
    var samples: Int?

    @Option(help: ArgumentHelp("smoothgrad: noise σ as a fraction of the input's range (default 0.15).", valueName: "f"))
    var noise: Float?

    @Option(help: ArgumentHelp("smoothgrad, rise: seed of the noise or the masks (default 0, TorchRay's seed).",
                               valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("rise: random masks per image (TorchRay's benchmark: 8000; hours on 2 cores, "
        + "try 500).", valueName: "n"))
    var numMasks: Int?

    @Option(help: ArgumentHelp("rise: cells per side of the mask grid (default 7).", valueName: "n"))
    var numCells: Int?

    @Option(help: ArgumentHelp("extremal-perturbation: optimisation steps (TorchRay's benchmark: 800; try 50 on a "
        + "laptop).", valueName: "n"))
    var maxIter: Int?

    @Option(help: ArgumentHelp("extremal-perturbation: areas, summed into one map (TorchRay's VOC benchmark: "
        + "0.025,0.05,0.1,0.2).", valueName: "a,b"))
    var areas: String?

    @Option(help: ArgumentHelp("occlusion: window side in pixels (default 16).", valueName: "px"))
    var window: Int?

    @Option(help: ArgumentHelp("occlusion: stride between windows in pixels (default 8).", valueName: "px"))
    var stride: Int?

    /// TorchRay's VOC benchmark areas for extremal perturbation.
    static let benchmarkAreas = [0.025, 0.05, 0.1, 0.2]

    /// Each option given on the command line, with the methods it belongs to.
    private var given: [(flag: String, owners: [EvaluatedMethod])] {
        let rise: [EvaluatedMethod] = [.perturbation(.rise), .perturbation(.riseClass)]
        let table: [(String, Bool, [EvaluatedMethod])] = [
            ("--contrast-layer", contrastLayer != nil, [.saliency(.contrastiveExcitationBackprop)]),
            ("--steps", steps != nil, [.saliency(.integratedGradients)]),
            ("--samples", samples != nil, [.saliency(.smoothGrad)]),
            ("--noise", noise != nil, [.saliency(.smoothGrad)]),
            ("--seed", seed != nil, [.saliency(.smoothGrad)] + rise),
            ("--num-masks", numMasks != nil, rise),
            ("--num-cells", numCells != nil, rise),
            ("--max-iter", maxIter != nil, [.perturbation(.extremalPerturbation)]),
            ("--areas", areas != nil, [.perturbation(.extremalPerturbation)]),
            ("--window", window != nil, [.perturbation(.occlusion)]),
            ("--stride", stride != nil, [.perturbation(.occlusion)]),
        ]
        return table.filter { $0.1 }.map { (flag: $0.0, owners: $0.2) }
    }

    /// The first option given, if any (for methods that take none).
    var firstGiven: (String, [EvaluatedMethod])? { given.first.map { ($0.flag, $0.owners) } }

    /// The first given option that does not apply to `method`, with its owners' names.
    private func misplaced(for method: EvaluatedMethod) -> (String, String)? {
        guard let wrong = given.first(where: { !$0.owners.contains(method) }) else { return nil }
        return (wrong.flag, wrong.owners.map(\.description).joined(separator: ", "))
    }

    /// Checks every option for `method` before anything is loaded; each mistake names its argument (exit 2).
    func validate(for method: EvaluatedMethod) throws {
        if let (flag, owners) = misplaced(for: method) {
            throw CLIError.invalid(argument: flag, "applies to \(owners) only, not to \(method)")
        }
        if let steps, !(1...10_000).contains(steps) { throw CLIError.invalid(argument: "--steps", "must be in 1…10000, got \(steps)") }
        if let samples, !(1...100_000).contains(samples) {
            throw CLIError.invalid(argument: "--samples", "must be in 1…100000, got \(samples)")
        }
        if let noise, !(noise >= 0 && noise.isFinite) {
            throw CLIError.invalid(argument: "--noise", "must be a finite fraction ≥ 0, got \(noise)")
        }
        if let numMasks, !(1...1_000_000).contains(numMasks) {
            throw CLIError.invalid(argument: "--num-masks", "must be in 1…1000000, got \(numMasks)")
        }
        if let numCells, !(2...1024).contains(numCells) {
            throw CLIError.invalid(argument: "--num-cells", "must be in 2…1024, got \(numCells)")
        }
        if let maxIter, !(1...100_000).contains(maxIter) {
            throw CLIError.invalid(argument: "--max-iter", "must be in 1…100000, got \(maxIter)")
        }
        _ = try parsedAreas()
        if let window, window < 1 { throw CLIError.invalid(argument: "--window", "must be at least 1, got \(window)") }
        if let stride, stride < 1 { throw CLIError.invalid(argument: "--stride", "must be at least 1, got \(stride)") }
        if let contrastLayer { _ = try MethodSettingsOptions.path(contrastLayer, argument: "--contrast-layer") }
    }

    /// The --areas list (default: the benchmark's), each in (0, 1).
    func parsedAreas() throws -> [Double] {
        guard let areas else { return Self.benchmarkAreas }
        let parts = areas.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            guard let value = Double(part), value > 0, value < 1 else {
                throw CLIError.invalid(argument: "--areas", "'\(part)' is not a fraction in (0, 1); give areas like 0.05,0.12")
            }
            return value
        }
    }

    /// A map maker for `method` on `model` with these settings.
    func maps(for method: EvaluatedMethod, model: Model, layer: String?) throws -> EvaluationMaps {
        try validate(for: method)
        var settings = MethodSettings()
        if let steps { settings.steps = steps }
        if let samples { settings.samples = samples }
        if let noise { settings.noiseLevel = noise }
        if let seed { settings.seed = seed }
        var path: LayerPath?
        if let layer { path = try MethodSettingsOptions.path(layer, argument: "--layer") }
        if case .saliency(let kind) = method {
            switch kind {
            case .gradCAM: path = path ?? LayerPath(BenchInput.lateLayer(model.architecture))
            case .excitationBackprop: path = path ?? model.architecture.excitationLayer
            case .contrastiveExcitationBackprop:
                path = path ?? model.architecture.excitationLayer
                settings.contrastLayer = try contrastLayer.map { try MethodSettingsOptions.path($0, argument: "--contrast-layer") }
                    ?? model.architecture.contrastLayer
            default: break
            }
            if let path, !path.isRoot {
                do { _ = try model.module.resolve(path) } catch { throw CLIError.invalid(argument: "--layer", "\(error)") }
            }
        } else if layer != nil {
            throw CLIError.invalid(argument: "--layer", "\(method) perturbs the input; it has no saliency layer")
        }
        var extremal = ExtremalPerturbationOptions()
        extremal.areas = try parsedAreas()
        if let maxIter { extremal.maxIter = maxIter }
        return EvaluationMaps(
            model: model, method: method, layer: path, settings: settings, extremal: extremal,
            masks: .random(count: numMasks ?? 8000, cells: numCells ?? 7, probability: 0.5, seed: seed ?? 0),
            window: window ?? 16, stride: stride ?? 8)
    }
}

/// Makes one method's maps for the evaluation commands, with TorchRay's benchmark recipe per method.
struct EvaluationMaps {
    let model: Model
    let method: EvaluatedMethod
    let layer: LayerPath?
    let settings: MethodSettings
    let extremal: ExtremalPerturbationOptions
    let masks: RISEMaskSource
    let window: Int
    let stride: Int

    /// The pointing game's map at the image file's size (TorchRay's `attribution_benchmark.py`): the pointing
    /// gradient for the backprop methods, smoothing 0.02 at the input (none for Grad-CAM and EBP), RISE on the
    /// input resized to the architecture's square size, EP with smoothing 0.09 and its areas summed.
    func pointingMap(input: Tensor, target: Int, width: Int, height: Int) throws -> Tensor {
        let size = SaliencyResize.size(width: width, height: height)
        switch method {
        case .saliency(let kind):
            let smooth: Float = [.gradCAM, .excitationBackprop, .contrastiveExcitationBackprop].contains(kind) ? 0 : 0.02
            return try saliency(model: model, input: input, target: .pointing(target), method: kind, layer: layer,
                                settings: settings, resize: size, smooth: smooth)
        case .perturbation(.rise), .perturbation(.riseClass):
            let side = model.architecture.inputSize
            let square = input.resized(height: side, width: side)
            return try riseClass(model: model.module, input: square, target: target, masks: masks, resize: size)
        case .perturbation(.extremalPerturbation):
            var options = extremal
            options.smooth = 0.09
            options.resize = size
            return try extremalPerturbation(model: model.module, input: input, target: target, options: options)
                .masks.sum(axes: [0], keepDims: true)
        case .perturbation(.occlusion):
            return try occlusionMap(input: input, target: target).resized(height: height, width: width)
        }
    }

    /// The map of `target` at the input's size, unsmoothed, for deletion and insertion.
    func inputMap(input: Tensor, target: Int) throws -> Tensor {
        switch method {
        case .saliency(let kind):
            return try saliency(model: model, input: input, target: .classIndex(target), method: kind, layer: layer,
                                settings: settings, resize: .toInput)
        case .perturbation(.rise), .perturbation(.riseClass):
            return try riseClass(model: model.module, input: input, target: target, masks: masks)
        case .perturbation(.extremalPerturbation):
            var options = extremal
            options.resize = .toInput
            return try extremalPerturbation(model: model.module, input: input, target: target, options: options)
                .masks.sum(axes: [0], keepDims: true)
        case .perturbation(.occlusion):
            return try occlusionMap(input: input, target: target)
        }
    }

    private func occlusionMap(input: Tensor, target: Int) throws -> Tensor {
        let side = min(window, input.shape[2], input.shape[3])
        return try occlusion(model: model.module, input: input, target: target, window: (side, side), stride: (stride, stride))
    }

    /// The argument an error of this method's library call is about.
    static func argument(for error: Error, fallback: String) -> (String, String)? {
        if let error = error as? PerturbationError { return (error.option.flag, error.message) }
        guard let error = error as? AttributionError else { return nil }
        if case .invalidSetting(let setting, let message) = error {
            return (MethodSettingsOptions.argument(for: setting), message)
        }
        return (error.isLayerError ? "--layer" : fallback, error.description)
    }
}
