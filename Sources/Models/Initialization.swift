import Engine

/// How `makeModel` / `Module.initialize` fill parameters that no checkpoint provides.
public enum Initialization: Sendable, Hashable {
    /// The team's deterministic formula (`Engine.hashedParameter`) keyed by the checkpoint key; the parity
    /// fixtures build identical weights in Python.
    case hashed
    /// A seeded Kaiming-uniform initialisation (the hashed formula keyed by seed and name) with PyTorch's
    /// batch-norm defaults (weight 1, bias 0, running mean 0, running variance 1).
    case seeded(UInt64)

    /// The tensor for parameter `key` of `shape` playing `role`.
    func tensor(key: String, shape: [Int], role: ParameterRole) -> Tensor {
        switch self {
        case .hashed:
            return hashedParameter(name: key, shape: shape, kind: role.hashedKind)
        case let .seeded(seed):
            switch role {
            case .convWeight, .linearWeight, .bias:
                return hashedParameter(name: "seed \(seed): " + key, shape: shape, kind: role.hashedKind)
            case .batchNormWeight, .runningVariance: return Tensor(repeating: 1, shape: shape)
            case .batchNormBias, .runningMean, .counter: return Tensor.zeros(shape)
            }
        }
    }
}

extension ParameterRole {
    /// The Engine formula's kind for this role.
    var hashedKind: HashedParamKind {
        switch self {
        case .convWeight, .linearWeight: .weight
        case .bias, .counter: .bias
        case .batchNormWeight: .batchNormWeight
        case .batchNormBias: .batchNormBias
        case .runningMean: .runningMean
        case .runningVariance: .runningVar
        }
    }
}
