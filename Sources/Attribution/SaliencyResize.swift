import Engine

/// Whether and how to resize a saliency map (TorchRay's `resize`: False, True or a (width, height) pair).
///
/// A Boolean literal works: `resize: true` resizes to the input's height and width.
public enum SaliencyResize: Sendable, Equatable, ExpressibleByBooleanLiteral {
    /// Keep the probed layer's spatial size.
    case none
    /// Resize to the input's spatial size.
    case toInput
    /// Resize to this size, width first as in TorchRay.
    case size(width: Int, height: Int)

    /// `false` → `.none`, `true` → `.toInput`.
    public init(booleanLiteral value: Bool) { self = value ? .toInput : .none }

    /// The (height, width) to resize to for an input of `inputShape` (N×C×H×W), or nil for none.
    func targetSize(inputShape: [Int]) -> (height: Int, width: Int)? {
        switch self {
        case .none: nil
        case .toInput: (inputShape[2], inputShape[3])
        case .size(let width, let height): (height, width)
        }
    }
}
