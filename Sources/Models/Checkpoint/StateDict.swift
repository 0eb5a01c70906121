import Engine

/// Element type of a tensor as it was stored in a checkpoint.
public enum StoredDType: String, Sendable, CaseIterable {
    case float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool

    /// Bytes per element on disk.
    public var byteWidth: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether the values are integers (kept exactly in `StateTensor.integers`).
    public var isInteger: Bool {
        switch self {
        case .int64, .int32, .int16, .int8, .uint8, .bool: true
        default: false
        }
    }
}

/// One named tensor of a checkpoint: its shape, the dtype it was stored with, and its values as Float32
/// (integer tensors also keep their exact values).
public struct StateTensor: Sendable {
    /// The dtype in the file.
    public let dtype: StoredDType
    /// The values converted to Float32 (integers rounded as Float does).
    public let tensor: Tensor
    /// Exact values for integer dtypes (`num_batches_tracked` and the like); nil for floating dtypes.
    public let integers: [Int64]?

    /// The tensor's shape (`[]` for a scalar).
    public var shape: [Int] { tensor.shape }

    /// A floating-point entry.
    public init(_ tensor: Tensor, dtype: StoredDType = .float32) {
        self.tensor = tensor
        self.dtype = dtype
        self.integers = nil
    }

    /// An integer entry.
    public init(integers: [Int64], shape: [Int], dtype: StoredDType = .int64) {
        self.integers = integers
        self.dtype = dtype
        self.tensor = Tensor(shape: shape, scalars: integers.map { Float($0) })
    }
}

/// An ordered mapping from checkpoint keys ("features.0.weight") to tensors, as PyTorch's `state_dict()`.
public struct StateDict: Sendable, Sequence {
    /// Keys in file order.
    public private(set) var keys: [String] = []
    private var values: [String: StateTensor] = [:]

    /// An empty state dict.
    public init() {}

    /// A state dict of Float32 tensors, in the order given.
    public init(_ pairs: [(String, Tensor)]) {
        for (key, tensor) in pairs { self[key] = StateTensor(tensor) }
    }

    /// Number of entries.
    public var count: Int { keys.count }

    /// The entry for `key`; setting nil removes it, setting a new key appends it.
    public subscript(key: String) -> StateTensor? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The Float32 tensor for `key`, if present.
    public func tensor(_ key: String) -> Tensor? { values[key]?.tensor }

    /// Iterates `(key, entry)` in file order.
    public func makeIterator() -> AnyIterator<(key: String, value: StateTensor)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (keys[index], values[keys[index]]!)
        }
    }

    /// A copy with keys rewritten by `transform` (nil drops the key); used to adapt older checkpoints.
    public func renamingKeys(_ transform: (String) -> String?) -> StateDict {
        var out = StateDict()
        for (key, value) in self {
            if let newKey = transform(key) { out[newKey] = value }
        }
        return out
    }

    /// A copy without the `prefix` on keys that have it (e.g. "module." from DataParallel checkpoints).
    public func strippingPrefix(_ prefix: String) -> StateDict {
        renamingKeys { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
    }
}
