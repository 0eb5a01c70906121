import Engine
import Models

/// Settings of extremal perturbation; the defaults are TorchRay's.
///
/// ```swift
/// var options = ExtremalPerturbationOptions()
/// options.areas = [0.12]
/// options.maxIter = 200
/// ```
public struct ExtremalPerturbationOptions: Sendable {
    /// Target areas as fractions of the full mask, each in (0, 1); one mask per area.
    public var areas: [Double] = [0.1]
    /// Blur (default) or fade.
    public var perturbation: PerturbationKind = .blur
    /// Optimisation steps (TorchRay: 800).
    public var maxIter = 800
    /// Levels of the perturbation pyramid.
    public var numLevels = 8
    /// Largest blur σ in pixels.
    public var maxBlur: Float = 20
    /// Mask parameter spacing in pixels.
    public var step = 7
    /// Mask bump radius in pixels.
    public var sigma: Float = 21
    /// Flip the perturbed batch horizontally on even iterations (0, 2, …).
    public var jitter = true
    /// Preserve, delete or dual.
    public var variant: PerturbationVariant = .preserve
    /// Simple or contrastive reward.
    public var reward: PerturbationReward = .simple
    /// Resize the masks: `false`, `true` (input size) or `.size(width:height:)`.
    public var resize: SaliencyResize = false
    /// Interpolation for `resize`.
    public var resizeMode: ResizeMode = .bilinear
    /// Gaussian smoothing of the result, σ = smooth · min(H, W), zero padding (TorchRay's EP rule).
    public var smooth: Float = 0

    /// TorchRay's defaults.
    public init() {}

    /// Throws a `PerturbationError` naming the first invalid setting.
    public func validate() throws {
        guard !areas.isEmpty else { throw PerturbationError(.areas, "give at least one area in (0, 1)") }
        for a in areas where !(a > 0 && a < 1) {
            throw PerturbationError(.areas, "area \(a) is outside (0, 1); an area is a fraction of the image")
        }
        guard maxIter >= 1 else { throw PerturbationError(.maxIter, "must be at least 1, got \(maxIter)") }
        guard numLevels >= 2 else { throw PerturbationError(.numLevels, "must be at least 2, got \(numLevels)") }
        guard smooth >= 0, smooth.isFinite else { throw PerturbationError(.smooth, "must be a finite number ≥ 0, got \(smooth)") }
        if case .size(let width, let height) = resize, width <= 0 || height <= 0 {
            throw PerturbationError(.resize, "size must be positive, got width \(width), height \(height)")
        }
    }
}

/// One area's optimisation history: TorchRay's `hist[a, 0, :]` (reward) and `hist[a, 1, :]` (regulariser).
public struct ExtremalPerturbationHistory: Sendable, Equatable {
    /// The target area.
    public let area: Double
    /// Reward per iteration (per area, also for the contrastive reward).
    public internal(set) var reward: [Float] = []
    /// Area regulariser −λ_t·mean((sorted mask − reference)²) per iteration.
    public internal(set) var regulariser: [Float] = []
    /// reward + regulariser: the energy this area contributes, which the optimiser maximises.
    public var energy: [Float] { zip(reward, regulariser).map { $0 + $1 } }
}

/// The masks and the optimisation history of `extremalPerturbation`.
public struct ExtremalPerturbationResult: Sendable {
    /// K×1×H×W masks in [0, 1] (before smoothing), one per area, from the last iteration's forward pass.
    public let masks: Tensor
    /// One history per area.
    public let history: [ExtremalPerturbationHistory]
}

/// Extremal perturbation (TorchRay's `extremal_perturbation`): for each area a, the smooth mask of area a
/// that keeps (preserve), removes (delete) or both (dual) the evidence for `target` best, found by SGD with
/// momentum 0.9 (dampening 0.9, lr 0.01) on the mask parameters, with the area regulariser's weight growing
/// from 300 by ×1.0035 per step, as TorchRay does it.
///
/// ```swift
/// var options = ExtremalPerturbationOptions()
/// options.areas = [0.12]; options.reward = .contrastive; options.maxIter = 100
/// let result = try extremalPerturbation(model: lite0, input: x, target: 281, options: options)
/// ```
/// - Paper: https://arxiv.org/abs/1910.08485 (Fong, Patrick, Vedaldi, ICCV 2019)
/// - Parameters:
///   - input: one image, 1×C×H×W.
///   - progress: called after each iteration with (iterations done, maxIter).
/// - Throws: `PerturbationError` naming the bad option; `AttributionError` for a bad input or class.
public func extremalPerturbation(
    model: Module, input: Tensor, target: Int, options: ExtremalPerturbationOptions = .init(),
    progress: ((_ done: Int, _ total: Int) -> Void)? = nil
) throws -> ExtremalPerturbationResult {
    try options.validate()
    try SaliencyInput.validate(input, for: model)
    var run = try ExtremalPerturbationRun(model: model, input: input, target: target, options: options)
    for t in 0..<options.maxIter {
        try run.iterate(t)
        progress?(t + 1, options.maxIter)
    }
    return run.result()
}

/// The optimisation state of one extremal-perturbation call.
struct ExtremalPerturbationRun {
    let model: Module
    let target: Int
    let options: ExtremalPerturbationOptions
    let pyramid: PerturbationPyramid
    let generator: SmoothMaskGenerator
    let regulariser: AreaRegulariser
    let input: Tensor
    var parameters: [Float]
    var momentum: [Float] = []
    var regulariserWeight: Double = 300
    var lastMasks: Tensor
    var history: [ExtremalPerturbationHistory]
    var k: Int { options.areas.count }

    init(model: Module, input: Tensor, target: Int, options: ExtremalPerturbationOptions) throws {
        guard input.shape[0] == 1 else {
            throw PerturbationError(.input, "extremal perturbation explains one image: expected 1×C×H×W, got \(input.shape)")
        }
        self.model = model
        self.target = target
        self.options = options
        self.input = input
        pyramid = try PerturbationPyramid(input: input, levels: options.numLevels, maxBlur: options.maxBlur,
                                          kind: options.perturbation)
        generator = try SmoothMaskGenerator(height: input.shape[2], width: input.shape[3], step: options.step,
                                            sigma: options.sigma)
        regulariser = AreaRegulariser(areas: options.areas, count: generator.fullHeight * generator.fullWidth)
        parameters = [Float](repeating: 1, count: options.areas.count * generator.parameterHeight * generator.parameterWidth)
        lastMasks = Tensor.zeros([options.areas.count, 1, input.shape[2], input.shape[3]])
        history = options.areas.map { ExtremalPerturbationHistory(area: $0) }
    }

    /// One forward/backward pass and SGD step (TorchRay's loop body at iteration `t`).
    mutating func iterate(_ t: Int) throws {
        let masks = generator.generate(parameters, count: k)
        lastMasks = masks.cropped
        var batch: Tensor
        switch options.variant {
        case .preserve: batch = pyramid.apply(masks.cropped)
        case .delete: batch = pyramid.apply(masks.cropped, inverted: true)
        case .dual: batch = Tensor.concat([pyramid.apply(masks.cropped), pyramid.apply(masks.cropped, inverted: true)], axis: 0)
        }
        let flip = options.jitter && t % 2 == 0
        if flip { batch = HorizontalFlip.apply(batch) }

        let x = batch.requiringGrad()
        let y = model(x)
        let classes = try RISEScores.classCount(of: y)
        guard (0..<classes).contains(target) else { throw AttributionError.targetOutOfRange(target, classes: classes) }
        let (rewards, rewardGradient) = y.withUnsafeBufferPointer { p in
            options.reward.rewards(p.baseAddress!, batch: y.shape[0], classes: classes, target: target, areas: k,
                                   variant: options.variant)
        }
        // The loss is −energy: seed the model's backward pass with −∂reward/∂y.
        let seed = Tensor(shape: y.shape, scalars: rewardGradient.map { -$0 })
        var imageGradient = gradients(of: y, seed: seed, wrt: [x])[0]
        if flip { imageGradient = HorizontalFlip.apply(imageGradient) }

        let lambda = Float(regulariserWeight)
        let (regul, fullGradient) = masks.full.withUnsafeBufferPointer { regulariser.evaluate($0.baseAddress!, weight: lambda) }
        let croppedGradient = croppedMaskGradient(masks.cropped, imageGradient: imageGradient)
        let gradient = generator.backward(masks, fullGradient: fullGradient, croppedGradient: croppedGradient, count: k)
        step(gradient, first: t == 0)

        for a in 0..<k {
            history[a].reward.append(rewards[a])
            history[a].regulariser.append(regul[a])
        }
        regulariserWeight *= 1.0035
    }

    /// ∂loss/∂cropped mask through the pyramid (both halves of a dual batch).
    func croppedMaskGradient(_ masks: Tensor, imageGradient: Tensor) -> [Float] {
        imageGradient.withUnsafeBufferPointer { g in
            let base = g.baseAddress!
            switch options.variant {
            case .preserve: return pyramid.maskGradient(masks, imageGradient: base, inverted: false)
            case .delete: return pyramid.maskGradient(masks, imageGradient: base, inverted: true)
            case .dual:
                let keep = pyramid.maskGradient(masks, imageGradient: base, inverted: false)
                let drop = pyramid.maskGradient(masks, imageGradient: base + imageGradient.count / 2, inverted: true)
                return zip(keep, drop).map { $0 + $1 }
            }
        }
    }

    /// PyTorch's SGD with momentum 0.9, dampening 0.9, lr 0.01 (the first step takes the raw gradient),
    /// then the parameters are clamped to [0, 1].
    mutating func step(_ gradient: [Float], first: Bool) {
        let mu: Float = 0.9, keep = Float(1 - 0.9), lr: Float = 0.01
        if first { momentum = gradient } else {
            for i in momentum.indices { momentum[i] = momentum[i] * mu + gradient[i] * keep }
        }
        for i in parameters.indices { parameters[i] = min(max(parameters[i] - lr * momentum[i], 0), 1) }
    }

    /// The last forward pass's masks, resized and smoothed as asked, and the history.
    func result() -> ExtremalPerturbationResult {
        var masks = lastMasks
        if let size = options.resize.targetSize(inputShape: input.shape) {
            masks = masks.resized(height: size.height, width: size.width, mode: options.resizeMode)
        }
        if options.smooth > 0 {
            masks = masks.gaussianSmoothed(sigma: options.smooth * Float(min(masks.shape[2], masks.shape[3])), padding: .constant)
        }
        return ExtremalPerturbationResult(masks: masks.detached(), history: history)
    }
}

/// Mirror images left to right (the last axis), TorchRay's jitter; its own inverse.
enum HorizontalFlip {
    static func apply(_ x: Tensor) -> Tensor {
        let w = x.shape[x.rank - 1], rows = x.count / max(w, 1)
        let out = TensorStorage(count: x.count)
        x.withUnsafeBufferPointer { src in
            for r in 0..<rows {
                let s = src.baseAddress! + r * w, d = out.pointer + r * w
                for i in 0..<w { d[i] = s[w - 1 - i] }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }
}
