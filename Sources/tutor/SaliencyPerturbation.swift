import ArgumentParser
import Attribution
import Engine
import Foundation
import Imaging
import Models

/// `tutor saliency` options of the perturbation methods (RISE, extremal perturbation, occlusion).
struct PerturbationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("rise: number of random masks (TorchRay: 8000).", valueName: "n"))
    var numMasks = 8000

    @Option(help: ArgumentHelp("rise: cells per side of the random grid.", valueName: "n"))
    var numCells = 7

    @Option(help: ArgumentHelp("rise: probability that a cell is kept.", valueName: "p"))
    var probability: Float = 0.5

    @Option(help: ArgumentHelp("rise: use these masks, an M×1×H×W float32 .npy (H×W of the input).", valueName: "npy"),
            completion: .file(extensions: ["npy"]))
    var masks: String?

    @Flag(help: "rise: the map of every class (N×C×H×W, .npy only) instead of --target's.")
    var allClasses = false

    @Option(help: ArgumentHelp("extremal-perturbation: target areas, comma-separated fractions in (0, 1).", valueName: "a,b"))
    var areas = "0.1"

    @Option(help: ArgumentHelp("extremal-perturbation: optimisation steps (TorchRay: 800).", valueName: "n"))
    var maxIter = 800

    @Option(help: ArgumentHelp("extremal-perturbation: preserve, delete or dual.", valueName: "variant"))
    var variant = "preserve"

    @Option(help: ArgumentHelp("extremal-perturbation: simple or contrastive.", valueName: "reward"))
    var reward = "simple"

    @Option(help: ArgumentHelp("extremal-perturbation: blur or fade.", valueName: "kind"))
    var perturbation = "blur"

    @Flag(inversion: .prefixedNo, help: "extremal-perturbation: flip the perturbed images on even iterations (TorchRay: on).")
    var jitter = true

    @Option(help: ArgumentHelp("extremal-perturbation: write the optimisation history (energy curves) as JSON.",
                               valueName: "json"))
    var history: String?

    @Option(help: ArgumentHelp("occlusion: window side in pixels.", valueName: "px"))
    var window = 16

    @Option(help: ArgumentHelp("occlusion: stride between windows in pixels.", valueName: "px"))
    var stride = 8

    /// The --areas list, parsed once.
    func parsedAreas() throws -> [Double] {
        let parts = areas.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            guard let value = Double(part) else {
                throw PerturbationError(.areas, "'\(part)' is not a number; give fractions in (0, 1) like 0.05,0.12")
            }
            return value
        }
    }

    /// Extremal-perturbation settings from the flags (and --resize/--smooth of the command).
    func extremalOptions(resize: Bool, resizeMode: ResizeMode, smooth: Float) throws -> ExtremalPerturbationOptions {
        var options = ExtremalPerturbationOptions()
        options.areas = try parsedAreas()
        options.maxIter = maxIter
        options.jitter = jitter
        options.variant = try PerturbationVariant(parsing: variant)
        options.reward = try PerturbationReward(parsing: reward)
        guard let kind = PerturbationKind(rawValue: perturbation.lowercased()) else {
            throw PerturbationError(.perturbation, "unknown perturbation '\(perturbation)'; valid: blur, fade")
        }
        options.perturbation = kind
        options.resize = resize ? .toInput : .none
        options.resizeMode = resizeMode
        options.smooth = smooth
        try options.validate()
        return options
    }

    /// Checks the flags of `method` before anything is loaded.
    /// `batchSize` and `baseline` are the command's shared `--batch-size` and `--baseline` (a number for occlusion).
    func validate(_ method: PerturbationMethod, target: Int?, smooth: Float, out: String, layer: String?,
                  batchSize: Int?, baseline: String?) throws {
        if layer != nil {
            throw CLIError.invalid(argument: "--layer", "\(method) perturbs the input; it has no saliency layer")
        }
        switch method {
        case .rise, .riseClass:
            if masks == nil {
                guard numMasks >= 1 else { throw PerturbationError(.numMasks, "must be at least 1, got \(numMasks)") }
                guard numCells >= 2 else { throw PerturbationError(.numCells, "must be at least 2, got \(numCells)") }
                guard probability >= 0, probability <= 1 else {
                    throw PerturbationError(.probability, "must be in [0, 1], got \(probability)")
                }
            }
            if method == .riseClass && allClasses {
                throw CLIError.invalid(argument: "--all-classes", "rise-class explains one class; use --method rise --all-classes")
            }
            if allClasses && !out.hasSuffix(".npy") {
                throw CLIError.invalid(argument: "--out", "--all-classes writes N×C×H×W maps: give a .npy file")
            }
            if smooth != 0 { throw PerturbationError(.smooth, "\(method) has no smoothing (TorchRay's rise has none)") }
        case .extremalPerturbation:
            _ = try extremalOptions(resize: false, resizeMode: .bilinear, smooth: smooth)
        case .occlusion:
            guard window >= 1 else { throw PerturbationError(.window, "must be at least 1, got \(window)") }
            guard stride >= 1 else { throw PerturbationError(.stride, "must be at least 1, got \(stride)") }
            _ = try Self.occlusionBaseline(baseline)
            if smooth != 0 { throw PerturbationError(.smooth, "occlusion has no smoothing") }
        }
        if let batchSize, batchSize < 1 { throw PerturbationError(.batchSize, "must be at least 1, got \(batchSize)") }
        if history != nil && method != .extremalPerturbation {
            throw CLIError.invalid(argument: "--history", "only extremal-perturbation has an optimisation history")
        }
        if target == nil && !(method == .rise && allClasses) {
            throw CLIError.invalid(argument: "--target", "\(method) needs a class to explain (or --all-classes with rise)")
        }
    }

    /// Occlusion's fill value from the shared `--baseline` (default 0, the mean after normalisation).
    static func occlusionBaseline(_ text: String?) throws -> Float {
        guard let text else { return 0 }
        guard let value = Float(text), value.isFinite else {
            throw PerturbationError(.baseline, "occlusion fills the window with a number, got '\(text)'")
        }
        return value
    }

    /// The mask source: --masks FILE or the recipe seeded with `seed`.
    func maskSource(seed: UInt64) throws -> RISEMaskSource {
        guard let masks else { return .random(count: numMasks, cells: numCells, probability: probability, seed: seed) }
        do {
            return .given(try Tensor(npyFile: URL(fileURLWithPath: masks)))
        } catch {
            throw PerturbationError(.masks, "\(error)")
        }
    }
}

extension TutorCommand.Saliency {
    /// Runs a perturbation method and writes its map (and history); errors name the argument, exit 2.
    func runPerturbation(_ method: PerturbationMethod) throws {
        let loaded = try modelOptions.load()
        let (input, image) = try inputOptions.load(for: loaded.architecture)
        let options = perturbationOptions
        let bar = ProgressBar(label: method.rawValue)
        defer { bar.finish() }
        let progress = bar.callback
        let map: Tensor
        do {
            switch method {
            case .rise, .riseClass:
                let classes: RISEClasses = options.allClasses ? .all : .only([target!])
                map = try rise(model: loaded.module, input: input, classes: classes, masks: try options.maskSource(seed: methodSettings.seed ?? 0),
                               batchSize: methodSettings.batchSize ?? 32, resize: resize ? .toInput : .none,
                               resizeMode: resizeMode.mode, progress: progress)
            case .extremalPerturbation:
                let settings = try options.extremalOptions(resize: resize, resizeMode: resizeMode.mode, smooth: smooth)
                let result = try extremalPerturbation(model: loaded.module, input: input, target: target!,
                                                      options: settings, progress: progress)
                map = result.masks
                if let path = options.history {
                    try ExtremalHistoryFile.write(result, settings: settings, target: target!, to: URL(fileURLWithPath: path))
                }
            case .occlusion:
                map = try occlusion(model: loaded.module, input: input, target: target!,
                                    window: (options.window, options.window), stride: (options.stride, options.stride),
                                    baseline: try PerturbationOptions.occlusionBaseline(methodSettings.baseline),
                                    batchSize: methodSettings.batchSize ?? 16, progress: progress)
            }
        } catch let error as PerturbationError {
            throw CLIError.invalid(argument: error.option.flag, error.message)
        } catch let error as AttributionError {
            throw CLIError.invalid(argument: argument(forPerturbation: error), error.description)
        }
        let url = URL(fileURLWithPath: out)
        if out.hasSuffix(".npy") {
            try map.writeNPY(to: url)
        } else {
            let background = image ?? Image(tensor: input, normalization: ModelInput.normalization(for: loaded.architecture))
            // Several EP areas: their sum, as TorchRay's benchmark scores them.
            let first = map.sum(axes: [1], keepDims: true)[0].reshaped([1, 1, map.shape[2], map.shape[3]])
            let title = "\(method), class \(target!) (\(ImageNetLabels.name(target!))), \(loaded.displayName)"
            try SaliencyPicture.render(map: first, over: background, signed: method == .occlusion, title: title).writePNG(to: url)
        }
        print("wrote \(out) (\(map.shape.map(String.init).joined(separator: "×")))")
    }

    private func argument(forPerturbation error: AttributionError) -> String {
        switch error {
        case .targetOutOfRange, .targetCountMismatch: "--target"
        case .invalidInputShape: inputOptions.input != nil ? "--input" : "--image"
        default: "--method"
        }
    }
}

/// `--history FILE`: TorchRay's `hist` as JSON, one entry per area with its reward, regulariser and energy curves.
enum ExtremalHistoryFile {
    static func write(_ result: ExtremalPerturbationResult, settings: ExtremalPerturbationOptions, target: Int, to url: URL) throws {
        let areas: [[String: Any]] = result.history.map { h in
            ["area": h.area, "reward": h.reward.map(Double.init), "regulariser": h.regulariser.map(Double.init),
             "energy": h.energy.map(Double.init)]
        }
        let object: [String: Any] = [
            "method": "extremal-perturbation", "target": target, "variant": settings.variant.rawValue,
            "reward": settings.reward.rawValue, "perturbation": settings.perturbation.rawValue,
            "iterations": settings.maxIter, "history": areas,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        do { try data.write(to: url) } catch {
            throw CLIError.invalid(argument: "--history", "cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
