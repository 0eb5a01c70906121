import Engine
import Foundation

/// What to backpropagate from the model output (TorchRay's `target` + `get_backward_gradient`).
///
/// An integer literal is one class for every batch item; an array literal is one class per item:
/// `saliency(model: m, input: x, target: 281, method: .gradient)`.
///
/// ```swift
/// let seed = try BackwardTarget.classIndex(249).backwardGradient(for: scores)   // one-hot at class 249
/// let map = try saliency(model: model, input: x, target: 249, method: .gradient)  // the same, as a literal
/// ```
public enum BackwardTarget: Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// One-hot at this class for every batch item (and every spatial position of a 4-D output).
    case classIndex(Int)
    /// One-hot at a class per batch item.
    case classIndices([Int])
    /// A user-supplied backward gradient with exactly the output's shape, used as is.
    case gradient(Tensor)
    /// TorchRay's pointing gradient for one image: `exp(s_y) / Σ exp(s_y)` over the spatial positions
    /// of class y's score map (1 for an N×C output, i.e. one-hot).
    case pointing(Int)

    /// One class for all items.
    public init(integerLiteral value: Int) { self = .classIndex(value) }
    /// One class per item.
    public init(arrayLiteral elements: Int...) { self = .classIndices(elements) }

    /// The backward gradient for a model output `output` (N×C or N×C×h×w).
    /// - Throws: `AttributionError` for an out-of-range class, a wrong count or a mis-shaped gradient.
    public func backwardGradient(for output: Tensor) throws -> Tensor {
        let shape = output.shape
        guard shape.count >= 2 else {
            throw AttributionError.invalidOption("the model output has shape \(shape); a saliency target needs N×C or N×C×h×w")
        }
        let n = shape[0], c = shape[1]
        let plane = shape.dropFirst(2).reduce(1, *)
        switch self {
        case .gradient(let tensor):
            guard tensor.shape == shape else { throw AttributionError.gradientShapeMismatch(tensor.shape, output: shape) }
            return tensor.detached()
        case .classIndex(let y):
            return try Self.oneHot(Array(repeating: y, count: n), shape: shape, plane: plane, classes: c)
        case .classIndices(let ys):
            // A single-element list broadcasts like TorchRay's reshape(-1, 1) + expand.
            guard ys.count == n || ys.count == 1 else { throw AttributionError.targetCountMismatch(ys.count, batch: n) }
            return try Self.oneHot(ys.count == n ? ys : Array(repeating: ys[0], count: n), shape: shape, plane: plane, classes: c)
        case .pointing(let y):
            guard n == 1, shape.count == 2 || shape.count == 4 else { throw AttributionError.pointingUnsupported(outputShape: shape) }
            guard (0..<c).contains(y) else { throw AttributionError.targetOutOfRange(y, classes: c) }
            var scalars = [Float](repeating: 0, count: output.count)
            output.withUnsafeBufferPointer { s in
                let base = y * plane
                // Softmax over positions; subtracting the max gives TorchRay's values without its overflow to NaN.
                var top = -Float.infinity
                for p in 0..<plane { top = max(top, s[base + p]) }
                var total: Float = 0
                for p in 0..<plane {
                    scalars[base + p] = Foundation.exp(s[base + p] - top)
                    total += scalars[base + p]
                }
                for p in 0..<plane { scalars[base + p] /= total }
            }
            return Tensor(shape: shape, scalars: scalars)
        }
    }

    private static func oneHot(_ ys: [Int], shape: [Int], plane: Int, classes: Int) throws -> Tensor {
        var scalars = [Float](repeating: 0, count: shape.reduce(1, *))
        for (item, y) in ys.enumerated() {
            guard (0..<classes).contains(y) else { throw AttributionError.targetOutOfRange(y, classes: classes) }
            let base = (item * classes + y) * plane
            for p in 0..<plane { scalars[base + p] = 1 }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}
