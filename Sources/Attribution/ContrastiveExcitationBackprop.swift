import Engine
import Models

/// Contrastive excitation backprop with TorchRay's semantics (`contrastive_excitation_backprop`).
///
/// Pass 1 propagates the excitation with the classifier layer's weights negated (`(−W)⁺`) down to the output
/// of `contrastLayer`: the dual map P⁻. Pass 2 propagates ordinary excitation from the top; at the contrast
/// layer the gradient P⁺ becomes P⁺ − P⁻ (not clamped), which goes on down to the saliency layer. The map
/// is ReLU(Σ_c gradient) there, then resized and smoothed like every other method.
/// - Parameters:
///   - layer: the saliency layer (nil or "" = the input); it must come before `contrastLayer`.
///   - contrastLayer: e.g. VGG16 "features.30" (pool5), ResNet50 "avgpool".
///   - classifierLayer: nil = the last convolution or linear layer (VGG16 "classifier.6", ResNet50 "fc").
/// - Returns: an N×1×h×w map.
/// - Throws: `AttributionError` for unknown layers, a classifier without a weight, layers in the wrong order.
/// - Paper: https://arxiv.org/abs/1608.00507 (Zhang et al., ECCV 2016)
public func contrastiveExcitationBackprop(
    model: Module, input: Tensor, target: BackwardTarget, layer: LayerPath? = nil, contrastLayer: LayerPath,
    classifierLayer: LayerPath? = nil, resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear,
    smooth: Float = 0
) throws -> Tensor {
    try SaliencyInput.validate(input, for: model)
    try SaliencyPost.validate(resize: resize, smooth: smooth)
    let saliencyLayer = layer ?? .root
    try ExcitationLayers.check(saliencyLayer, in: model, setting: nil)
    try ExcitationLayers.check(contrastLayer, in: model, setting: .contrastLayer)
    guard !contrastLayer.isRoot else {
        throw AttributionError.invalidSetting(.contrastLayer, "the contrast layer must be a named layer, not the whole model")
    }
    try ExcitationLayers.checkOrder(saliency: saliencyLayer, contrast: contrastLayer, in: model)
    let classifierWeight = try ExcitationLayers.classifierWeight(of: model, at: classifierLayer)
    let x = input.detached()

    // Pass 1: the dual excitation P⁻ at the contrast layer, with (−W)⁺ at the classifier.
    let dualProbe = Probe(contrastLayer, target: .output)
    let dualOutput = withBackwardRules(.excitationBackprop(negating: classifierWeight)) {
        model.withProbes([dualProbe]) { model(x) }
    }
    guard let dualActivation = dualProbe.captured.last else { throw AttributionError.layerNotReached(contrastLayer.description) }
    let seed = try target.backwardGradient(for: dualOutput)
    let dual = gradients(of: dualOutput, seed: seed, wrt: [dualActivation])[0]

    // Pass 2: ordinary excitation down to the contrast layer, P⁺ − P⁻ from there to the saliency layer.
    let contrastProbe = Probe(keepingHistoryOf: contrastLayer)
    var probes = [contrastProbe]
    let inputLeaf = x.requiringGrad()
    let saliencyProbe = Probe(saliencyLayer, target: .output)
    if !saliencyLayer.isRoot { probes.append(saliencyProbe) }
    let output = withBackwardRules(.excitationBackprop) {
        model.withProbes(probes) { model(saliencyLayer.isRoot ? inputLeaf : x) }
    }
    guard let contrastActivation = contrastProbe.captured.last else {
        throw AttributionError.layerNotReached(contrastLayer.description)
    }
    let activation: Tensor
    if saliencyLayer.isRoot {
        activation = inputLeaf
    } else {
        guard let captured = saliencyProbe.captured.last else { throw AttributionError.layerNotReached(saliencyLayer.description) }
        activation = captured
    }
    let excitation = gradients(of: output, seed: seed, wrt: [contrastActivation])[0]
    let contrast = Elementwise.zip(excitation, dual) { $0 - $1 }
    let gradient = gradients(of: contrastActivation, seed: contrast, wrt: [activation])[0]
    let map = SaliencyReduction.clampedChannelSum.apply(activation: activation.detached(), gradient: gradient)
    return SaliencyPost.apply(map, inputShape: input.shape, resize: resize, resizeMode: resizeMode, smooth: smooth)
}

/// Layer checks for excitation backprop: names, order, and the classifier TorchRay negates.
enum ExcitationLayers {
    /// Throws `.unknownLayer` (saliency layer) or `.invalidSetting` (contrast/classifier) for a missing module.
    static func check(_ path: LayerPath, in model: Module, setting: MethodSetting?) throws {
        do {
            _ = try model.resolve(path)
        } catch ModelError.unknownLayer(_, _, let suggestions) {
            guard let setting else { throw AttributionError.unknownLayer(path.description, suggestions: suggestions) }
            let role = setting == .contrastLayer ? "contrast" : "classifier"
            throw AttributionError.invalidSetting(setting, "unknown \(role) layer '\(path)'"
                + (suggestions.isEmpty ? "" : "; closest valid layers: \(suggestions.joined(separator: ", "))"))
        }
    }

    /// The contrast layer's output must be computed from the saliency layer's (it comes later in the forward
    /// pass, or encloses it); otherwise the contrast would never reach the map.
    static func checkOrder(saliency: LayerPath, contrast: LayerPath, in model: Module) throws {
        if saliency.isRoot || saliency == contrast || isAncestor(contrast, of: saliency) { return }
        let order = model.namedModules().map(\.0)
        guard let s = order.firstIndex(of: saliency), let c = order.firstIndex(of: contrast),
              c > s, !isAncestor(saliency, of: contrast) else {
            throw AttributionError.invalidSetting(.contrastLayer,
                "the contrast layer '\(contrast)' must come after the saliency layer '\(saliency)' in the network")
        }
    }

    static func isAncestor(_ a: LayerPath, of b: LayerPath) -> Bool {
        a.components.count < b.components.count && Array(b.components.prefix(a.components.count)) == a.components
    }

    /// The weight of `path`, or of the last module with a conv/linear weight (TorchRay's `_get_classifier_layer`).
    static func classifierWeight(of model: Module, at path: LayerPath?) throws -> Tensor {
        if let path {
            try check(path, in: model, setting: .classifierLayer)
            guard let weight = model.module(at: path)?.tensorIfPresent("weight"), weight.rank == 2 || weight.rank == 4 else {
                throw AttributionError.invalidSetting(.classifierLayer,
                    "the classifier layer '\(path)' has no convolution or linear weight to negate")
            }
            return weight
        }
        for (key, weight) in model.namedParameters().reversed() where key.hasSuffix(".weight") && (weight.rank == 2 || weight.rank == 4) {
            return weight
        }
        throw AttributionError.invalidSetting(.classifierLayer, "the model has no convolution or linear layer to use as the classifier")
    }

    /// The path of the layer `classifierWeight(of:at: nil)` picks, for messages and reports.
    static func defaultClassifier(of model: Module) -> LayerPath? {
        for (key, weight) in model.namedParameters().reversed() where key.hasSuffix(".weight") && (weight.rank == 2 || weight.rank == 4) {
            return LayerPath(components: key.split(separator: ".").dropLast().map(String.init))
        }
        return nil
    }
}

/// The resize-and-smooth tail every method shares (TorchRay's order: resize, then smooth).
enum SaliencyPost {
    /// Throws for a non-positive resize size or a negative or non-finite smoothing factor.
    static func validate(resize: SaliencyResize, smooth: Float) throws {
        guard smooth >= 0, smooth.isFinite else {
            throw AttributionError.invalidOption("smooth must be a finite number ≥ 0, got \(smooth)")
        }
        if case .size(let width, let height) = resize, width <= 0 || height <= 0 {
            throw AttributionError.invalidOption("resize size must be positive, got width \(width), height \(height)")
        }
    }

    /// Resizes (σ-free) and then smooths with σ = smooth · max(H, W) of the resized map, replicate padding.
    static func apply(_ map: Tensor, inputShape: [Int], resize: SaliencyResize, resizeMode: ResizeMode, smooth: Float) -> Tensor {
        var map = map
        if let size = resize.targetSize(inputShape: inputShape) {
            map = map.resized(height: size.height, width: size.width, mode: resizeMode)
        }
        if smooth > 0 {
            map = map.gaussianSmoothed(sigma: smooth * Float(max(map.shape[2], map.shape[3])), padding: .replicate)
        }
        return map.detached()
    }
}
