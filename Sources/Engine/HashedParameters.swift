/// Which role a deterministic parameter plays; fixes its scale and offset.
public enum HashedParamKind: String, Hashable, Sendable, CaseIterable {
    /// Conv or linear weight (rank ≥ 2): uniform ±√(6 / fan_in), fan_in = product of shape[1...].
    case weight
    /// Conv or linear bias: uniform ±0.1.
    case bias
    /// Batch-norm weight: 1 ± 0.1.
    case batchNormWeight
    /// Batch-norm bias: ±0.1.
    case batchNormBias
    /// Batch-norm running mean: ±0.1.
    case runningMean
    /// Batch-norm running variance: 1 ± 0.25.
    case runningVar

    /// (scale, offset) of this kind for a tensor of `shape`.
    func scaleAndOffset(shape: [Int]) -> (Double, Double) {
        switch self {
        case .weight:
            let fanIn = shape.dropFirst().reduce(1, *)
            return ((6.0 / Double(Swift.max(fanIn, 1))).squareRoot(), 0)
        case .bias, .batchNormBias, .runningMean: return (0.1, 0)
        case .batchNormWeight: return (0.1, 1)
        case .runningVar: return (0.25, 1)
        }
    }
}

/// FNV-1a 64-bit hash of the UTF-8 bytes of `name`.
func fnv1a64(_ name: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}

/// A deterministic parameter tensor: value i is a SplitMix64 hash of (FNV-1a(name), i) mapped to
/// offset + scale·(2u − 1) in Double, rounded once to Float. Bit-exact with the fixture scripts.
public func hashedParameter(name: String, shape: [Int], kind: HashedParamKind) -> Tensor {
    let key = fnv1a64(name)
    let (scale, offset) = kind.scaleAndOffset(shape: shape)
    let count = shape.reduce(1, *)
    let out = Tensor.uninitialized(shape)
    let p = out.pointer
    // Each element depends only on its index, so large tensors (VGG's 100 M-element fc6) split over threads.
    parallelChunks(count) { range in
        for i in range {
            var z = key &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z = z ^ (z >> 31)
            let u = Double(z >> 11) * 0x1p-53
            p[i] = Float(offset + scale * (2 * u - 1))
        }
    }
    return out
}
