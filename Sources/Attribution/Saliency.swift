import Engine
import Models

/// Computes a saliency map with TorchRay's `saliency()` semantics for one of the gradient-family methods.
///
/// The model runs forward with `method.backwardRules` active; the backward gradient (one-hot at `target`
/// by default) is propagated to the saliency layer — the input when `layer` is `""`, otherwise the output
/// of the named module (e.g. `"features.29"`, `"layer4"`, `"_blocks.15"`) — and reduced over channels
/// (`method.reduction`). The map is then optionally resized and smoothed (σ = `smooth` · max(H, W) of
/// the resized map, replicate padding). Model parameters are never differentiated or changed.
///
/// ```swift
/// let map = try saliency(model: vgg, input: x, target: 281, method: .gradCAM, layer: "features.29", resize: true)
/// ```
/// - Parameters:
///   - layer: dotted module path; nil means the input, except for Grad-CAM, which requires a layer.
///   - resize: `false`, `true` (input size) or `.size(width:height:)`.
///   - resizeMode: interpolation for `resize` (nearest works here, unlike in TorchRay).
///   - smooth: Gaussian σ as a fraction of the larger side; 0 disables smoothing.
/// - Returns: an N×1×h×w map (h×w of the saliency layer, or the resize target).
/// - Throws: `AttributionError` for an unknown layer, a wrong-shaped input or an invalid target.
public func saliency(
    model: Module, input: Tensor, target: BackwardTarget, method: Method, layer: LayerPath? = nil,
    resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear, smooth: Float = 0
) throws -> Tensor {
    if method.requiresLayer && layer == nil {
        throw AttributionError.layerRequired(method, suggestions: LayerLookup.lateLayers(of: model))
    }
    if method.hasOwnDriver {
        return try saliency(model: model, input: input, target: target, method: method, layer: layer, settings: MethodSettings(),
                            resize: resize, resizeMode: resizeMode, smooth: smooth)
    }
    return try saliency(
        model: model, input: input, target: target, layer: layer ?? "", rules: method.backwardRules,
        reduction: method.reduction, resize: resize, resizeMode: resizeMode, smooth: smooth)
}

/// `saliency(model:…)` for a `Model`; Grad-CAM without a layer suggests the architecture's usual layers.
public func saliency(
    model: Model, input: Tensor, target: BackwardTarget, method: Method, layer: LayerPath? = nil,
    resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear, smooth: Float = 0
) throws -> Tensor {
    if method.requiresLayer && layer == nil {
        throw AttributionError.layerRequired(method, suggestions: model.architecture.defaultLayers.map(\.description))
    }
    let side = model.architecture.minimumInputSide
    if input.rank == 4, input.shape[2] < side || input.shape[3] < side {
        throw AttributionError.invalidInputShape(
            input.shape, expected: "N×3×H×W with H, W ≥ \(side) for \(model.architecture.rawValue)")
    }
    return try saliency(
        model: model.module, input: input, target: target, method: method, layer: layer, resize: resize,
        resizeMode: resizeMode, smooth: smooth)
}

/// The general driver behind `saliency(model:input:target:method:…)`: any backward rules and reduction
/// (the building block for excitation backprop and for a learner's own rules).
/// - Returns: an N×1×h×w map.
public func saliency(
    model: Module, input: Tensor, target: BackwardTarget, layer: LayerPath, rules: BackwardRules,
    reduction: SaliencyReduction, resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear,
    smooth: Float = 0
) throws -> Tensor {
    try SaliencyInput.validate(input, for: model)
    guard smooth >= 0, smooth.isFinite else {
        throw AttributionError.invalidOption("smooth must be a finite number ≥ 0, got \(smooth)")
    }
    if case .size(let width, let height) = resize, width <= 0 || height <= 0 {
        throw AttributionError.invalidOption("resize size must be positive, got width \(width), height \(height)")
    }

    // Capture the activation at the saliency layer as a gradient-requiring leaf, so backprop stops there.
    let activation: Tensor
    let output: Tensor
    if layer.description.isEmpty {
        let x = input.detached().requiringGrad()
        output = withBackwardRules(rules) { model(x) }
        activation = x
    } else {
        do {
            _ = try model.resolve(layer)
        } catch ModelError.unknownLayer(_, _, let suggestions) {
            throw AttributionError.unknownLayer(layer.description, suggestions: suggestions)
        }
        let probe = Probe(layer, target: .output)
        output = withBackwardRules(rules) { model.withProbes([probe]) { model(input.detached()) } }
        // TorchRay keeps the last invocation of a module that runs several times, and its first tensor.
        guard let captured = probe.captured.last else { throw AttributionError.layerNotReached(layer.description) }
        activation = captured
    }

    let seed = try target.backwardGradient(for: output)
    let gradient = gradients(of: output, seed: seed, wrt: [activation])[0]
    var map = reduction.apply(activation: activation.detached(), gradient: gradient)

    if let size = resize.targetSize(inputShape: input.shape) {
        map = map.resized(height: size.height, width: size.width, mode: resizeMode)
    }
    if smooth > 0 {
        let sigma = smooth * Float(max(map.shape[2], map.shape[3]))
        map = map.gaussianSmoothed(sigma: sigma, padding: .replicate)
    }
    return map.detached()
}
