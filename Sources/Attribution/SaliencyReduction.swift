import Engine

/// How a captured activation `a` (N×C×H×W) and its gradient `g` become an N×1×H×W map
/// (TorchRay's `gradient_to_saliency` variants).
public enum SaliencyReduction: Sendable, Hashable {
    /// max over channels of |g| (gradient, DeConvNet, guided backprop).
    case maxAbsGradient
    /// ReLU(Σ_c a_c · mean_hw(g_c)) (Grad-CAM).
    case gradCAM
    /// Σ_c a_c · g_c, signed (linear approximation).
    case linearApprox
    /// Σ_c g_c, signed and unclamped (excitation backprop).
    case channelSum
    /// ReLU(Σ_c g_c) (contrastive excitation backprop).
    case clampedChannelSum

    /// Reduces `activation` and its `gradient` (same shape, rank ≥ 2, channels on axis 1) to N×1×….
    public func apply(activation: Tensor, gradient: Tensor) -> Tensor {
        let shape = gradient.shape
        guard shape.count >= 2, shape[1] >= 1, activation.shape == shape else {
            fatalError("SaliencyReduction: activation \(activation.shape) and gradient \(shape) must match, rank ≥ 2")
        }
        let n = shape[0], c = shape[1]
        let plane = shape.dropFirst(2).reduce(1, *)
        var outShape = shape
        outShape[1] = 1
        let storage = TensorStorage(zeros: n * plane)
        let out = storage.pointer
        activation.withUnsafeBufferPointer { a in
            gradient.withUnsafeBufferPointer { g in
                for item in 0..<n {
                    let o = out + item &* plane
                    let base = item &* c &* plane
                    switch self {
                    case .maxAbsGradient:
                        // Channel 0 initialises the running max so all-negative gradients are kept as |g|.
                        for p in 0..<plane { o[p] = abs(g[base &+ p]) }
                        for ch in 1..<max(c, 1) {
                            let row = base &+ ch &* plane
                            for p in 0..<plane { o[p] = max(o[p], abs(g[row &+ p])) }
                        }
                    case .gradCAM:
                        for ch in 0..<c {
                            let row = base &+ ch &* plane
                            var total: Float = 0
                            for p in 0..<plane { total += g[row &+ p] }
                            let weight = total / Float(plane)
                            for p in 0..<plane { o[p] += a[row &+ p] * weight }
                        }
                        for p in 0..<plane where !(o[p] >= 0) { o[p] = o[p].isNaN ? o[p] : 0 }
                    case .linearApprox:
                        for ch in 0..<c {
                            let row = base &+ ch &* plane
                            for p in 0..<plane { o[p] += a[row &+ p] * g[row &+ p] }
                        }
                    case .channelSum, .clampedChannelSum:
                        for ch in 0..<c {
                            let row = base &+ ch &* plane
                            for p in 0..<plane { o[p] += g[row &+ p] }
                        }
                        if self == .clampedChannelSum {
                            for p in 0..<plane where o[p] < 0 { o[p] = 0 }
                        }
                    }
                }
            }
        }
        return Tensor(shape: outShape, storage: storage)
    }
}
