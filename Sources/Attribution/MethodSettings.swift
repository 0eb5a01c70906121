import Engine
import Models

/// A setting of `MethodSettings`, named in `AttributionError.invalidSetting` so a caller can point at its argument.
public enum MethodSetting: String, Sendable, CaseIterable {
    case contrastLayer, classifierLayer, steps, integration, baseline, samples, noiseLevel, batchSize
}

/// Settings of the methods that need more than a layer: contrastive excitation backprop, integrated gradients
/// and SmoothGrad. Methods ignore the settings that are not theirs.
///
/// ```swift
/// var settings = MethodSettings()
/// settings.contrastLayer = "features.29"
/// let map = try saliency(model: model, input: x, target: 249, method: .contrastiveExcitationBackprop,
///                        layer: "features.23", settings: settings)
/// ```
public struct MethodSettings: Sendable {
    /// Contrastive EBP: the layer where the dual (negated-classifier) excitation is subtracted (required),
    /// e.g. VGG16 "features.30" (pool5), ResNet50 "avgpool".
    public var contrastLayer: LayerPath?
    /// Contrastive EBP: the layer whose weights are negated for the dual pass; nil = the model's last
    /// convolution or linear layer (TorchRay's `_get_classifier_layer`).
    public var classifierLayer: LayerPath?
    /// Integrated gradients: number of points on the path from the baseline to the input (Captum: 50).
    public var steps = 50
    /// Integrated gradients: the quadrature rule (Captum's default is Gauss–Legendre).
    public var integration = IntegrationRule.gaussLegendre
    /// Integrated gradients: the baseline x′ (same shape as the input, or one item broadcast); nil = zeros.
    public var baseline: Tensor?
    /// SmoothGrad: noisy samples averaged per image.
    public var samples = 50
    /// SmoothGrad: σ of the Gaussian noise as a fraction of the input's range (max − min), per image
    /// (Smilkov et al. suggest 0.1–0.2).
    public var noiseLevel: Float = 0.15
    /// SmoothGrad: the seed of the noise (same seed, same map).
    public var seed: UInt64 = 0
    /// Integrated gradients and SmoothGrad: inputs evaluated per forward/backward pass. 1 by default: on Lite0
    /// (2 cores) batches of 2, 5 and 10 cost 1.15×, 1.2× and 1.8× the CPU time of single inputs and 1.6–7× the memory.
    public var batchSize = 1
    /// Called after each unit of long work (IG batches, SmoothGrad batches) with (done, total).
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    /// Defaults everywhere (contrastive EBP still needs `contrastLayer`).
    public init() {}

    /// Throws `.invalidSetting` for an out-of-range count or noise level.
    func validate() throws {
        guard steps >= 1 else { throw AttributionError.invalidSetting(.steps, "steps must be at least 1, got \(steps)") }
        guard steps <= 10_000 else {
            throw AttributionError.invalidSetting(.steps, "steps must be at most 10000, got \(steps)")
        }
        guard samples >= 1 else { throw AttributionError.invalidSetting(.samples, "samples must be at least 1, got \(samples)") }
        guard samples <= 100_000 else {
            throw AttributionError.invalidSetting(.samples, "samples must be at most 100000, got \(samples)")
        }
        guard noiseLevel >= 0, noiseLevel.isFinite else {
            throw AttributionError.invalidSetting(.noiseLevel, "the noise level must be a finite fraction ≥ 0, got \(noiseLevel)")
        }
        guard batchSize >= 1 else {
            throw AttributionError.invalidSetting(.batchSize, "the batch size must be at least 1, got \(batchSize)")
        }
    }
}
