import Engine
import Models

/// `saliency(model:input:target:method:…)` for every method, with the settings of those that need more than a
/// layer (contrastive EBP's contrast and classifier layers, integrated gradients' steps, SmoothGrad's noise).
///
/// ```swift
/// var settings = MethodSettings()
/// settings.contrastLayer = "features.30"
/// let map = try saliency(model: vgg, input: x, target: 281, method: .contrastiveExcitationBackprop,
///                        layer: "features.9", settings: settings)
/// ```
/// - Throws: `AttributionError`; `.invalidSetting` names the setting that is missing or out of range.
public func saliency(
    model: Module, input: Tensor, target: BackwardTarget, method: Method, layer: LayerPath? = nil,
    settings: MethodSettings, resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear, smooth: Float = 0
) throws -> Tensor {
    try SaliencyPost.validate(resize: resize, smooth: smooth)
    switch method {
    case .contrastiveExcitationBackprop:
        guard let contrastLayer = settings.contrastLayer else {
            throw AttributionError.invalidSetting(.contrastLayer,
                "method '\(method)' needs a contrast layer (--contrast-layer / contrastLayer:), a layer after the saliency layer"
                + " such as VGG16's features.30 or ResNet50's avgpool")
        }
        return try contrastiveExcitationBackprop(
            model: model, input: input, target: target, layer: layer, contrastLayer: contrastLayer,
            classifierLayer: settings.classifierLayer, resize: resize, resizeMode: resizeMode, smooth: smooth)
    case .integratedGradients:
        if let layer, !layer.isRoot {
            throw AttributionError.invalidOption(
                "integrated gradients attributes to the input only; omit the layer (got '\(layer)')")
        }
        let result = try integratedGradients(model: model, input: input, target: target, settings: settings)
        return SaliencyPost.apply(result.map, inputShape: input.shape, resize: resize, resizeMode: resizeMode, smooth: smooth)
    case .smoothGrad:
        try checkLayer(layer, in: model)
        let map = try smoothGrad(model: model, input: input, target: target, layer: layer, settings: settings)
        return SaliencyPost.apply(map, inputShape: input.shape, resize: resize, resizeMode: resizeMode, smooth: smooth)
    default:
        return try saliency(model: model, input: input, target: target, method: method, layer: layer, resize: resize,
                            resizeMode: resizeMode, smooth: smooth)
    }
}

/// The same for a `Model`: checks the input size for the architecture and suggests its usual layers.
public func saliency(
    model: Model, input: Tensor, target: BackwardTarget, method: Method, layer: LayerPath? = nil,
    settings: MethodSettings, resize: SaliencyResize = false, resizeMode: ResizeMode = .bilinear, smooth: Float = 0
) throws -> Tensor {
    guard method.hasOwnDriver else {
        return try saliency(model: model, input: input, target: target, method: method, layer: layer, resize: resize,
                            resizeMode: resizeMode, smooth: smooth)
    }
    let side = model.architecture.minimumInputSide
    if input.rank == 4, input.shape[2] < side || input.shape[3] < side {
        throw AttributionError.invalidInputShape(
            input.shape, expected: "N×3×H×W with H, W ≥ \(side) for \(model.architecture.rawValue)")
    }
    if method == .contrastiveExcitationBackprop && settings.contrastLayer == nil {
        let example = model.architecture.contrastLayer
        throw AttributionError.invalidSetting(.contrastLayer,
            "method '\(method)' needs a contrast layer (--contrast-layer / contrastLayer:), for \(model.architecture.rawValue)"
            + " for example \(example) with --layer \(model.architecture.excitationLayer)")
    }
    return try saliency(model: model.module, input: input, target: target, method: method, layer: layer, settings: settings,
                        resize: resize, resizeMode: resizeMode, smooth: smooth)
}

/// Throws `.unknownLayer` with suggestions when `layer` names no module.
func checkLayer(_ layer: LayerPath?, in model: Module) throws {
    guard let layer, !layer.isRoot else { return }
    try ExcitationLayers.check(layer, in: model, setting: nil)
}

extension Architecture {
    /// The saliency layer TorchRay's benchmark reads excitation backprop at (VGG16 pool4, ResNet50 layer3) or
    /// the analogous middle block.
    public var excitationLayer: LayerPath {
        switch self {
        case .vgg16: "features.23"
        case .vgg11: "features.15"
        case .alexnet: "features.5"
        case .resnet18, .resnet50, .wideResnet101_2: "layer3"
        case .densenet121, .densenet201: "features.transition3"
        case .mobilenetV2: "features.14"
        case .efficientnetLite0: "_blocks.10"
        }
    }

    /// A contrast layer for contrastive EBP after `excitationLayer`: TorchRay's choices for VGG16 (relu7,
    /// "classifier.4") and ResNet50 ("avgpool"), the global pooling or last block elsewhere.
    public var contrastLayer: LayerPath {
        switch self {
        case .vgg16, .vgg11, .alexnet: "classifier.4"
        case .resnet18, .resnet50, .wideResnet101_2: "avgpool"
        case .densenet121, .densenet201: "features.norm5"
        case .mobilenetV2: "features.18"
        case .efficientnetLite0: "_bn1"
        }
    }
}
