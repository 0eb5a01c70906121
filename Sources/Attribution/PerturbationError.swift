/// The options of the perturbation methods (RISE, extremal perturbation, occlusion), for error messages:
/// each knows the command-line flag it comes from, so the CLI can name the argument.
public enum PerturbationOption: String, Sendable, CaseIterable {
    case input, target, masks, numMasks, numCells, probability, seed, batchSize
    case areas, maxIter, variant, reward, perturbation, numLevels, step, sigma, smooth, resize
    case window, stride, baseline

    /// The `tutor saliency` flag that sets this option ("--num-masks").
    public var flag: String {
        switch self {
        case .input: "--image/--input"
        case .target: "--target"
        case .masks: "--masks"
        case .numMasks: "--num-masks"
        case .numCells: "--num-cells"
        case .probability: "--probability"
        case .seed: "--seed"
        case .batchSize: "--batch-size"
        case .areas: "--areas"
        case .maxIter: "--max-iter"
        case .variant: "--variant"
        case .reward: "--reward"
        case .perturbation: "--perturbation"
        case .numLevels: "--num-levels"
        case .step: "--step"
        case .sigma: "--sigma"
        case .smooth: "--smooth"
        case .resize: "--resize"
        case .window: "--window"
        case .stride: "--stride"
        case .baseline: "--baseline"
        }
    }
}

/// A bad argument to RISE, extremal perturbation or occlusion: which option, and what would be valid.
public struct PerturbationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The offending option.
    public let option: PerturbationOption
    /// What was wrong and what would be valid.
    public let message: String

    /// An error about `option`.
    public init(_ option: PerturbationOption, _ message: String) {
        self.option = option
        self.message = message
    }

    /// "--num-masks: must be at least 1, got 0".
    public var description: String { "\(option.flag): \(message)" }
}
