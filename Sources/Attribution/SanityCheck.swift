import Engine
import Models

/// One step of the cascading randomisation: the layers re-initialised so far and how the map compares.
public struct SanityCheckStep: Sendable {
    /// The layer group re-initialised at this step ("_fc", "_blocks.15", "layer4.2", "features.28").
    public let layer: String
    /// The map with this and every group above it re-initialised (N×1×h×w).
    public let map: Tensor
    /// Spearman rank correlation with the trained model's map (values as produced; NaN for a constant map).
    public let spearman: Double
    /// Spearman rank correlation of the absolute values (Adebayo et al.'s main measure).
    public let spearmanAbs: Double
    /// Mean SSIM of the min–max normalised maps.
    public let ssim: Double
    /// Fraction of the top 10 % pixels the two maps share.
    public let topKOverlap: Double
}

/// The result of `sanityCheck`: the trained model's map and one step per re-initialised layer group, top first.
///
/// ```swift
/// let result = try sanityCheck(model: Model(.efficientnetLite0), input: x, target: 249, method: .gradient, maxSteps: 3)
/// for step in result.steps { print(step.layer, step.spearmanAbs) }
/// ```
public struct SanityCheckResult: Sendable {
    /// The map of the unmodified model.
    public let original: Tensor
    /// Cascading steps, from the output layer down.
    public let steps: [SanityCheckStep]
}

/// The model-randomisation sanity check (Adebayo et al., NeurIPS 2018), cascading version: starting from the
/// output, each layer group (a top-level layer or a block: "_fc", "_blocks.15", "layer4.2", "classifier.6") in
/// turn gets fresh random weights (the seeded initialisation: Kaiming-uniform weights, batch norm reset to
/// weight 1, bias 0, mean 0, variance 1), keeping the groups above it random, and `map` is recomputed. A method
/// whose maps stay similar while the weights it explains are destroyed does not explain the model.
///
/// `model` itself is not changed. `map` receives the modified module and returns an N×1×h×w map.
/// - Parameters:
///   - seed: the random initialisation's seed.
///   - maxSteps: stop after this many groups (nil: all the way to the first layer).
///   - progress: called with (done, total) after the original map and after each step.
/// - Paper: https://arxiv.org/abs/1810.03292
///
/// ```swift
/// let result = try sanityCheck(model: Model(.efficientnetLite0), maxSteps: 3) { module in
///     try saliency(model: module, input: x, target: 249, method: .gradient)
/// }
/// ```
public func sanityCheck(
    model: Model, seed: UInt64 = 1, maxSteps: Int? = nil, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
    map: (Module) throws -> Tensor
) throws -> SanityCheckResult {
    if let maxSteps, maxSteps < 1 {
        throw AttributionError.invalidOption("maxSteps must be at least 1, got \(maxSteps)")
    }
    let groups = SanityCheckGroups.cascade(of: model.module)
    let steps = min(groups.count, maxSteps ?? groups.count)
    let working = makeModel(model.architecture, initialization: .seeded(seed))
    try working.load(model.module.stateDict(), strict: true)
    let random = makeModel(model.architecture, initialization: .seeded(seed)).stateDict()

    let original = try map(working)
    progress?(1, steps + 1)
    var results: [SanityCheckStep] = []
    for (index, group) in groups.prefix(steps).enumerated() {
        let replacement = StateDict(group.keys.compactMap { key in random.tensor(key).map { (key, $0) } })
        try working.load(replacement, strict: false)
        let randomized = try map(working)
        results.append(SanityCheckGroups.compare(original, randomized, layer: group.name))
        progress?(index + 2, steps + 1)
    }
    return SanityCheckResult(original: original, steps: results)
}

/// `sanityCheck` for one of the saliency methods (with its settings, layer, resize and smoothing).
public func sanityCheck(
    model: Model, input: Tensor, target: BackwardTarget, method: Method, layer: LayerPath? = nil,
    settings: MethodSettings = MethodSettings(), resize: SaliencyResize = false, seed: UInt64 = 1, maxSteps: Int? = nil,
    progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
) throws -> SanityCheckResult {
    var quiet = settings
    quiet.progress = nil  // the sanity check reports its own steps
    // The first call (the trained model's map) throws for a bad layer or setting before anything is randomised.
    return try sanityCheck(model: model, seed: seed, maxSteps: maxSteps, progress: progress) { module in
        try saliency(model: module, input: input, target: target, method: method, layer: layer, settings: quiet, resize: resize)
    }
}

/// Layer groups for the cascade and the per-step comparison.
enum SanityCheckGroups {
    struct Group {
        let name: String
        var keys: [String]
    }

    /// Parameter and buffer keys grouped by their first two path components ("layer4.2", "_fc"), output first.
    static func cascade(of module: Module) -> [Group] {
        var groups: [Group] = []
        let keys = module.namedParameters().map(\.0) + module.namedBuffers().map(\.0)
        var index: [String: Int] = [:]
        for (key, _) in module.namedParameters() {
            let name = groupName(key)
            if index[name] == nil {
                index[name] = groups.count
                groups.append(Group(name: name, keys: []))
            }
        }
        for key in keys {
            if let i = index[groupName(key)] { groups[i].keys.append(key) }
        }
        return groups.reversed()
    }

    /// "layer4.2.conv1.weight" → "layer4.2"; "_fc.weight" → "_fc"; "features.28.weight" → "features.28".
    static func groupName(_ key: String) -> String {
        let modulePath = key.split(separator: ".").dropLast()
        return modulePath.prefix(2).joined(separator: ".")
    }

    static func compare(_ original: Tensor, _ randomized: Tensor, layer: String) -> SanityCheckStep {
        let a = original.scalars, b = randomized.scalars
        let height = original.rank >= 2 ? original.shape[original.rank - 2] : 1
        let width = original.rank >= 1 ? original.shape[original.rank - 1] : a.count
        let plane = height * width
        // SSIM per item plane, averaged.
        var ssim = 0.0
        let items = max(1, a.count / max(plane, 1))
        for n in 0..<items {
            let range = (n * plane)..<((n + 1) * plane)
            ssim += MapSimilarity.ssim(Array(a[range]), Array(b[range]), height: height, width: width)
        }
        return SanityCheckStep(
            layer: layer, map: randomized, spearman: MapSimilarity.spearman(a, b),
            spearmanAbs: MapSimilarity.spearman(a.map(abs), b.map(abs)), ssim: ssim / Double(items),
            topKOverlap: MapSimilarity.topKOverlap(a.map(abs), b.map(abs)))
    }
}
