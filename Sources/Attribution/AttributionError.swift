import Engine
import Models

/// What went wrong in a saliency call; every message names the argument and what would be valid.
public enum AttributionError: Error, CustomStringConvertible, Equatable {
    /// A method name that is not one of `Method.allCases`.
    case unknownMethod(String, valid: [String])
    /// A layer path the model does not have; `suggestions` are the closest valid paths.
    case unknownLayer(String, suggestions: [String])
    /// The method needs a layer (Grad-CAM) and none was given; `suggestions` are typical choices.
    case layerRequired(Method, suggestions: [String])
    /// The input is not an N×C×H×W tensor the model accepts.
    case invalidInputShape([Int], expected: String)
    /// A class index outside the model's output channels.
    case targetOutOfRange(Int, classes: Int)
    /// A per-item target list whose length is not the batch size.
    case targetCountMismatch(Int, batch: Int)
    /// A user backward gradient whose shape differs from the model output's.
    case gradientShapeMismatch([Int], output: [Int])
    /// The pointing gradient supports one image and an N×C or N×C×h×w output only.
    case pointingUnsupported(outputShape: [Int])
    /// The probed layer never ran during the forward pass.
    case layerNotReached(String)
    /// A non-positive or non-finite resize size or smoothing factor.
    case invalidOption(String)
    /// A method setting (`MethodSettings`) that is missing or out of range; the message says what is valid.
    case invalidSetting(MethodSetting, String)

    /// The message shown to the user: what was wrong and what would be valid.
    public var description: String {
        switch self {
        case .unknownMethod(let name, let valid):
            "unknown method '\(name)'; valid methods: \(valid.joined(separator: ", "))"
        case .unknownLayer(let name, let suggestions):
            "unknown layer '\(name)'" + (suggestions.isEmpty ? "" : "; closest valid layers: "
                + suggestions.map { $0.isEmpty ? "\"\" (the input)" : $0 }.joined(separator: ", "))
        case .layerRequired(let method, let suggestions):
            "method '\(method)' needs a layer (--layer / layer:)"
                + (suggestions.isEmpty ? "" : "; for example: \(suggestions.joined(separator: ", "))")
        case .invalidInputShape(let shape, let expected):
            "input has shape \(shape); expected \(expected)"
        case .targetOutOfRange(let target, let classes):
            "target class \(target) is out of range; valid classes: 0..<\(classes)"
        case .targetCountMismatch(let count, let batch):
            "\(count) targets given for a batch of \(batch); give one class per item or a single class"
        case .gradientShapeMismatch(let shape, let output):
            "backward gradient has shape \(shape); it must match the model output \(output)"
        case .pointingUnsupported(let shape):
            "the pointing gradient needs a batch of one and an N×C or N×C×h×w output; got output \(shape)"
        case .layerNotReached(let name):
            "layer '\(name)' did not run during the forward pass, so it has no gradient"
        case .invalidOption(let message):
            message
        case .invalidSetting(_, let message):
            message
        }
    }
}
